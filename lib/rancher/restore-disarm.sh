# shellcheck shell=bash
# Functions of a drill's Restore (backups.restoreFrom.disarm), sourced before
# backup-objects.sh in the same Job, which calls them: the cluster restores
# production's Rancher backup, and nothing of production's may act from it.
#
# - hold / held: before the Restore is applied, a ValidatingAdmissionPolicy
#   and its binding (HOLD_POLICY) refuse the creation of every pod in the
#   namespaces of the Deployments the backup carries (HOLD_NAMESPACES, a CEL
#   regular expression: Rancher's hosted-cluster operators in cattle-system,
#   Fleet's, Elemental's, rancher-operator's). The operator creates restored
#   objects as they are (its Restore has no filter), so those Deployments would
#   otherwise start pods with production's credentials while the Restore runs.
#   `held` is a server-side dry run of a pod in PROBE_NAMESPACE (one of them):
#   true once the API server refuses it with the policy's name, which is when
#   the policy is in force there (the API server loads policies a moment after
#   they are written).
# - disarmed: once the Restore is done, every credential Secret it brought is
#   deleted: each of type provisioning.cattle.io/cloud-credential wherever it
#   is, every Secret of cattle-global-data, and in fleet-default the node
#   drivers' Secrets (names ending in machine-driver-secret, harvesterconfig*,
#   type rke.cattle.io/machine-state); true once none is left.
# - released: then the policy goes, and the held pods may start (they find no
#   credential); true once the same dry run is admitted.
# Each returns false with STATUS saying why; backup-objects.sh polls them
# within its budget. A failed Job leaves the hold in place: Rancher, whose
# release waits for this Job, cannot start on a cluster that still holds
# production's credentials.
#
# Environment: HOLD_POLICY (name of the policy and of its binding),
# HOLD_NAMESPACES, PROBE_NAMESPACE.

CLOUD_CREDENTIAL=provisioning.cattle.io/cloud-credential
MACHINE_STATE=rke.cattle.io/machine-state
NODE_DRIVER_NAMES='machine-driver-secret$|^harvesterconfig'
NAMESPACED_NAMES='jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{"\n"}{end}'

hold_objects() {
  cat <<EOF
{"apiVersion":"admissionregistration.k8s.io/v1","kind":"ValidatingAdmissionPolicy","metadata":{"name":"$HOLD_POLICY"},"spec":{"failurePolicy":"Fail","matchConstraints":{"resourceRules":[{"apiGroups":[""],"apiVersions":["v1"],"operations":["CREATE"],"resources":["pods"]}]},"validations":[{"expression":"!request.namespace.matches('$HOLD_NAMESPACES')","message":"$HOLD_POLICY: a drill restores production's backup here; no pod of its Deployments may start until its credentials are deleted"}]}}
{"apiVersion":"admissionregistration.k8s.io/v1","kind":"ValidatingAdmissionPolicyBinding","metadata":{"name":"$HOLD_POLICY"},"spec":{"policyName":"$HOLD_POLICY","validationActions":["Deny"]}}
EOF
}

# A pod PodSecurity's restricted level admits: only the hold may refuse it.
probe_pod() {
  printf '%s' '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"rancher-aws-hold-probe"},"spec":{"securityContext":{"runAsNonRoot":true,"runAsUser":1000,"seccompProfile":{"type":"RuntimeDefault"}},"containers":[{"name":"probe","image":"probe","securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}}]}}'
}

# probe: the dry run's answer (the API server's message when it refused).
probe() {
  probe_pod | kubectl -n "$PROBE_NAMESPACE" create --dry-run=server -f - 2>&1
}

hold() {
  local out
  # create, not apply: a rerun finds them (AlreadyExists) and goes on to check that they hold.
  if ! out=$(hold_objects | kubectl create -f - 2>&1) && [[ $out != *AlreadyExists* && $out != *"already exists"* ]]; then
    STATUS="cannot create the hold $HOLD_POLICY: ${out//$'\n'/ }"
    log "$STATUS"
    return 1
  fi
  return 0
}

held() {
  local out
  if out=$(probe) || [[ $out != *"$HOLD_POLICY"* ]]; then
    STATUS="the hold $HOLD_POLICY is not in force in $PROBE_NAMESPACE yet (a pod there: ${out//$'\n'/ })"
    log "$STATUS"
    return 1
  fi
  STATUS="the hold $HOLD_POLICY refuses pods in $PROBE_NAMESPACE"
  log "$STATUS"
}

# credentials_left: NAMESPACE/NAME of each credential Secret still there; a line in parentheses when a list failed.
credentials_left() {
  local typed global driven state
  typed=$(kubectl get secrets --all-namespaces --field-selector="type=$CLOUD_CREDENTIAL" -o "$NAMESPACED_NAMES" 2>&1) ||
    typed="(cannot list the cloud credentials: ${typed//$'\n'/ })"
  global=$(kubectl -n cattle-global-data get secrets -o "$NAMESPACED_NAMES" 2>&1) ||
    global="(cannot list the Secrets of cattle-global-data: ${global//$'\n'/ })"
  driven=$(kubectl -n fleet-default get secrets -o "$NAMESPACED_NAMES" 2>&1) ||
    driven="(cannot list the Secrets of fleet-default: ${driven//$'\n'/ })"
  [[ $driven == '('* ]] || driven=$(sed -n 's|^fleet-default/||p' <<<"$driven" | grep -E "$NODE_DRIVER_NAMES" | sed 's|^|fleet-default/|' || true)
  state=$(kubectl -n fleet-default get secrets --field-selector="type=$MACHINE_STATE" -o "$NAMESPACED_NAMES" 2>&1) ||
    state="(cannot list the machine states of fleet-default: ${state//$'\n'/ })"
  printf '%s\n%s\n%s\n%s\n' "$typed" "$global" "$driven" "$state" | grep . | sort -u || true
}

disarmed() {
  local left secret out
  left=$(credentials_left)
  while IFS= read -r secret; do
    [[ -z $secret || $secret == '('* ]] && continue
    if ! out=$(kubectl -n "${secret%%/*}" delete secret "${secret#*/}" --ignore-not-found 2>&1); then
      log "cannot delete production's credential $secret: ${out//$'\n'/ }"
    fi
  done <<<"$left"
  left=$(credentials_left)
  if [ -n "$left" ]; then
    STATUS="production's credentials are still in the restored cluster: ${left//$'\n'/ }"
    log "$STATUS"
    return 1
  fi
  STATUS="production's credentials are out of the restored cluster"
  log "$STATUS"
}

released() {
  local out
  if ! out=$(kubectl delete validatingadmissionpolicybindings.admissionregistration.k8s.io "$HOLD_POLICY" --ignore-not-found 2>&1) ||
    ! out=$(kubectl delete validatingadmissionpolicies.admissionregistration.k8s.io "$HOLD_POLICY" --ignore-not-found 2>&1); then
    STATUS="cannot delete the hold $HOLD_POLICY: ${out//$'\n'/ }"
    log "$STATUS"
    return 1
  fi
  if ! out=$(probe); then
    STATUS="the hold $HOLD_POLICY is deleted, and a pod in $PROBE_NAMESPACE is still refused: ${out//$'\n'/ }"
    log "$STATUS"
    return 1
  fi
  STATUS="the hold $HOLD_POLICY is released"
  log "$STATUS"
}
