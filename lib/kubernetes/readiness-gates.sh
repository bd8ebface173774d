#!/bin/bash
# Readiness gates of a deploy. Terraform runs each one as a Kubernetes Job, the
# one object of a Helm release it waits for (helm_release, wait_for_jobs); the
# chart releases that need the condition depend on that release. A gate polls the API
# every INTERVAL seconds until its condition holds, and gives up once
# DEADLINE_SECONDS are spent (the Job's own deadline is a minute longer), with a
# last line saying what did not become ready.
#
# Environment:
#   GATE              servers | admission | certificate | upgrade | prepare | admitted
#   DEADLINE_SECONDS  the budget
#   servers:     SERVERS (expected count), EMBEDDED_ETCD (true on RKE2: each
#                server must also be a voting etcd member and run a ready API
#                server static pod), optionally UNREGISTERED_HINT (said when a
#                server never registered)
#   admission:   INGRESS_CLASS, NAMESPACE (where the dry run happens), and
#                optionally WEBHOOK (a ValidatingWebhookConfiguration that must
#                exist first) or CONTROLLER_NAMESPACE + CONTROLLER_KIND
#                (daemonset | deployment) + CONTROLLER, which must have a ready
#                pod first
#   certificate: NAMESPACE, CERTIFICATE (a cert-manager Certificate)
#   upgrade:     PLAN (a system-upgrade-controller Plan, YAML), VERSION (the
#                kubelet version every node must report), SERVERS (expected
#                node count): applies the Plan (retried until the controller
#                has registered its CRD), then waits until every node runs
#                VERSION, is Ready and is schedulable again (the controller
#                uncordons a node once its upgrade Job succeeded), and the
#                controller is done with the Plan PLAN_NAME in PLAN_NAMESPACE:
#                its status names VERSION (+ read as -) and a hash, it applies
#                to no node, and every server carries the label
#                plan.upgrade.cattle.io/PLAN_NAME = that hash
#   prepare:     the prepare step of the server upgrade Plan (the controller
#                runs it in each server's upgrade Job before the node is
#                cordoned and its service replaced and killed; it starts the
#                next Job as soon as the previous one exits, while that server
#                is still coming back): waits until every OTHER server is
#                Ready, schedulable and, with EMBEDDED_ETCD, a voting etcd
#                member, at least SERVERS - 1 of them are registered, and every
#                node the controller marked done for this Plan revision (label
#                plan.upgrade.cattle.io/<plan> = the latest hash) reports
#                VERSION, and no server holds the certificate-renewal restart
#                Lease (cert-renewal.sh) and no roll holds it (lib/ops/roll.ts),
#                unless the roll has this very server out. The controller sets SYSTEM_UPGRADE_NODE_NAME,
#                SYSTEM_UPGRADE_PLAN_NAME and SYSTEM_UPGRADE_PLAN_LATEST_HASH.
#                A failed Job is retried by the controller within its deadline.
#   admitted:    ROUNDS: lists the FailedCreate Events of every namespace ROUNDS times (INTERVAL apart) and fails
#                at the first one whose message says Pod Security admission refused a pod ("violates PodSecurity"),
#                naming each controller refused; passes after ROUNDS clean rounds (a refusal repeats with the
#                controller's retries, so a window of rounds sees it)
#   RERUN_ON     (any gate) only a marker: a new value replaces the Job, so
#                the gate runs again after an upgrade
set -uo pipefail

# report_failure comes with the gate chart's Jobs (job-failure.sh); the upgrade Plan's prepare step runs this alone.
declare -F report_failure >/dev/null || report_failure() { :; }

INTERVAL=${INTERVAL:-10}
STATUS="no answer from the API yet"

log() { printf '%s %s: %s\n' "$(date -u +%H:%M:%S)" "$GATE" "$*"; }

# settle DONE WAITING [PENDING...]: with nothing pending, STATUS is DONE and it succeeds; otherwise STATUS is
# WAITING and what is pending, and it fails. Logged either way.
settle() {
  local done=$1 waiting=$2 joined
  shift 2
  if [ $# -eq 0 ]; then
    STATUS=$done
  else
    joined=$(printf '; %s' "$@")
    STATUS="$waiting: ${joined:2}"
  fi
  log "$STATUS"
  [ $# -eq 0 ]
}

# until_ready CHECK...: runs CHECK until it succeeds; fails once the budget is spent: the time slept or the time
# passed (kubectl calls that hang on a lost API count too), whichever is more, so the failure is reported before the
# Job's deadline stops the pod.
until_ready() {
  local waited=0
  until "$@"; do
    if [ $((waited + INTERVAL)) -gt "$DEADLINE_SECONDS" ] || [ $((SECONDS + INTERVAL)) -gt "$DEADLINE_SECONDS" ]; then
      return 1
    fi
    sleep "$INTERVAL"
    waited=$((waited + INTERVAL))
  done
}

# condition_count TYPE RESOURCE [ARGS...]: how many of the objects report condition TYPE=True.
condition_count() {
  local type=$1 statuses
  shift
  statuses=$(kubectl get "$@" -o jsonpath="{range .items[*]}{.status.conditions[?(@.type==\"$type\")].status}{\"\\n\"}{end}") || return 1
  grep -c '^True$' <<<"$statuses" || true
}

# Every expected server is a Ready node and, with embedded etcd (RKE2), a
# voting etcd member (the EtcdIsVoter node condition RKE2 maintains) with a
# ready API server (the static pod's readiness probe is the API's /readyz): the
# load balancer then never hands an API call to a server still joining.
servers_ready() {
  local nodes voters apiservers
  nodes=$(condition_count Ready nodes -l node-role.kubernetes.io/control-plane=true) || return 1
  STATUS="$nodes of $SERVERS servers are Ready nodes"
  if [ "$EMBEDDED_ETCD" != true ]; then
    log "$STATUS"
    [ "$nodes" -ge "$SERVERS" ]
    return
  fi
  voters=$(condition_count EtcdIsVoter nodes -l node-role.kubernetes.io/etcd=true) || return 1
  apiservers=$(condition_count Ready pods -n kube-system -l component=kube-apiserver) || return 1
  STATUS="$STATUS, $voters voting etcd members, $apiservers ready API servers"
  log "$STATUS"
  [ "$nodes" -ge "$SERVERS" ] && [ "$voters" -ge "$SERVERS" ] && [ "$apiservers" -ge "$SERVERS" ]
}

# unregistered: adds to STATUS how many of the SERVERS never registered as a node, and UNREGISTERED_HINT (where to
# look) when any did not: a server whose bootstrap stopped before installing anything never registers.
unregistered() {
  local names missing
  names=$(kubectl get nodes -l node-role.kubernetes.io/control-plane=true -o name) || return 0
  missing=$((SERVERS - $(grep -c . <<<"$names")))
  [ "$missing" -gt 0 ] || return 0
  STATUS="$STATUS; $missing of the $SERVERS servers never registered as a node${UNREGISTERED_HINT:+: $UNREGISTERED_HINT}"
}

# The ingress controller has registered (its webhook configuration exists, or
# its DaemonSet or Deployment has a ready pod).
controller_present() {
  if [ -n "${WEBHOOK:-}" ]; then
    kubectl get validatingwebhookconfiguration "$WEBHOOK" -o name >/dev/null 2>&1 && return 0
    STATUS="the admission webhook $WEBHOOK is not registered yet"
  elif [ -n "${CONTROLLER:-}" ]; then
    local field=availableReplicas ready
    [ "$CONTROLLER_KIND" = daemonset ] && field=numberReady
    ready=$(kubectl -n "$CONTROLLER_NAMESPACE" get "$CONTROLLER_KIND" "$CONTROLLER" -o jsonpath="{.status.$field}" 2>/dev/null)
    [ "${ready:-0}" -ge 1 ] && return 0
    STATUS="$CONTROLLER_KIND $CONTROLLER_NAMESPACE/$CONTROLLER has no ready pod yet"
  else
    return 0
  fi
  log "$STATUS"
  return 1
}

# An Ingress of the class that is never stored: only dry runs use it.
probe_ingress() {
  cat <<EOF
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: rancher-aws-admission-probe
  namespace: $NAMESPACE
spec:
  ingressClassName: $INGRESS_CLASS
  rules:
    - host: admission-probe.invalid
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: admission-probe
                port:
                  number: 80
EOF
}

# A server-side dry run of that Ingress: the API server calls every validating
# webhook that matches, so this passes only once they answer.
ingress_admitted() {
  local output
  if output=$(probe_ingress | kubectl create --dry-run=server -o name -f - 2>&1); then
    return 0
  fi
  STATUS="an Ingress of class $INGRESS_CLASS is not admitted yet: $(tail -n 1 <<<"$output")"
  log "$STATUS"
  return 1
}

admission_ready() {
  controller_present && ingress_admitted
}

# cert-manager reports the Certificate Ready: its secret holds a valid
# certificate for the requested names.
certificate_ready() {
  local ready message
  ready=$(kubectl -n "$NAMESPACE" get certificates.cert-manager.io "$CERTIFICATE" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null) || ready=""
  [ "$ready" = True ] && return 0
  message=$(kubectl -n "$NAMESPACE" get certificates.cert-manager.io "$CERTIFICATE" -o jsonpath='{.status.conditions[?(@.type=="Ready")].message}' 2>/dev/null) || message=""
  STATUS="certificate $NAMESPACE/$CERTIFICATE is not Ready (${message:-no status yet})"
  log "$STATUS"
  return 1
}

# The upgrade Plan is stored (kubectl apply is idempotent: an unchanged Plan
# starts nothing). Fails while the controller has not registered the Plan CRD
# yet, or the API does not answer.
PLAN_APPLIED=false
plan_applied() {
  local output
  [ "$PLAN_APPLIED" = true ] && return 0
  if output=$(kubectl apply -f - 2>&1 <<<"$PLAN"); then
    PLAN_APPLIED=true
    log "$output"
    return 0
  fi
  STATUS="the upgrade Plan is not accepted yet: $(tail -n 1 <<<"$output")"
  log "$STATUS"
  return 1
}

# Every node runs VERSION, is Ready and schedulable; the nodes that are not are
# named in STATUS (the last line of a failed gate).
nodes_upgraded() {
  local table name running ready unschedulable count=0 pending=()
  table=$(kubectl get nodes -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.status.nodeInfo.kubeletVersion}{" "}{.status.conditions[?(@.type=="Ready")].status}{" "}{.spec.unschedulable}{"\n"}{end}') || {
    STATUS="the API did not answer the node list"
    log "$STATUS"
    return 1
  }
  while read -r name running ready unschedulable; do
    [ -n "$name" ] || continue
    count=$((count + 1))
    if [ "$running" != "$VERSION" ]; then
      pending+=("node $name runs ${running:-no known version}")
    elif [ "$ready" != True ]; then
      pending+=("node $name runs $VERSION but is not Ready")
    elif [ "$unschedulable" = true ]; then
      pending+=("node $name runs $VERSION but is still cordoned")
    fi
  done <<<"$table"
  if [ "$count" -lt "$SERVERS" ]; then
    pending+=("only $count of $SERVERS nodes are registered")
  fi
  settle "all $count nodes run $VERSION" "waiting for $VERSION" "${pending[@]}"
}

# server_table PLAN: one line per server, name|kubelet version|Ready|EtcdIsVoter|unschedulable|the label
# plan.upgrade.cattle.io/PLAN (the hash of the Plan revision the controller last completed there)|InternalIPs (one
# per family on dual stack, space separated).
server_table() {
  local label=${1//./\\.}
  kubectl get nodes -l node-role.kubernetes.io/control-plane=true -o jsonpath="{range .items[*]}{.metadata.name}{\"|\"}{.status.nodeInfo.kubeletVersion}{\"|\"}{.status.conditions[?(@.type==\"Ready\")].status}{\"|\"}{.status.conditions[?(@.type==\"EtcdIsVoter\")].status}{\"|\"}{.spec.unschedulable}{\"|\"}{.metadata.labels.plan\\.upgrade\\.cattle\\.io/$label}{\"|\"}{.status.addresses[?(@.type==\"InternalIP\")].address}{\"\\n\"}{end}"
}

# The Lease a server's certificate renewal holds while it restarts (cert-renewal.sh), and a roll (lib/ops/roll.ts)
# for as long as it runs; the roll names the server it has out of the cluster in the annotation rancher-ha-aws/out
# (its address).
RESTART_LEASE=rancher-aws-server-restart

# restart_lease_free [ADDRESSES]: no server restarts for its certificates and no roll runs now: no Lease, one given
# back (no holder), one naming out one of ADDRESSES (this Job's own server's InternalIPs, space separated: kubectl's
# jsonpath prints every address of a dual-stack Node; upgrading it takes down no other), or one whose holder stopped
# renewing it and that names no server out. A Lease naming another server out is never free by age (design notes,
# "Who may restart a server"); one whose times cannot be read counts as held.
restart_lease_free() {
  local lease holder renewed duration out until own
  if ! lease=$(kubectl -n kube-system get lease "$RESTART_LEASE" -o 'jsonpath={.spec.holderIdentity}|{.spec.renewTime}|{.spec.leaseDurationSeconds}|{.metadata.annotations.rancher-ha-aws/out}' 2>&1); then
    [[ $lease == *NotFound* ]] && return 0
    STATUS="could not read the Lease kube-system/$RESTART_LEASE: $(tail -n 1 <<<"$lease")"
    return 1
  fi
  IFS='|' read -r holder renewed duration out <<<"$lease"
  [ -n "$holder" ] || return 0
  # One address per family: the roll and the timers write the server's IPv4 address, the Node lists both.
  for own in ${1:-}; do
    [ -n "$out" ] && [ "$out" = "$own" ] && return 0
  done
  until=$(date -d "$renewed" +%s 2>/dev/null) || until=""
  if [ -z "$out" ] && [[ $until =~ ^[0-9]+$ && $duration =~ ^[0-9]+$ ]] && [ $((until + duration)) -le "$(date +%s)" ]; then
    return 0
  fi
  if [[ $holder == */* ]]; then
    STATUS="a roll holds the servers' restart Lease (kube-system/$RESTART_LEASE, $holder)${out:+ with $out out}"
  else
    STATUS="$holder is restarting to renew its certificates (Lease kube-system/$RESTART_LEASE)${out:+, $out out}"
  fi
  return 1
}

# The servers other than this Job's node are whole, and the ones already
# upgraded by this Plan revision came back on VERSION.
others_ready() {
  local table name kubelet ready voter unschedulable hash address own="" others=0 pending=()
  table=$(server_table "$SYSTEM_UPGRADE_PLAN_NAME") || {
    STATUS="the API did not answer the node list"
    log "$STATUS"
    return 1
  }
  while IFS="|" read -r name kubelet ready voter unschedulable hash address; do
    [ -n "$name" ] || continue
    if [ -n "$hash" ] && [ "$hash" = "$SYSTEM_UPGRADE_PLAN_LATEST_HASH" ] && [ "$kubelet" != "$VERSION" ]; then
      pending+=("$name is marked upgraded but runs ${kubelet:-no known version}")
    fi
    if [ "$name" = "$SYSTEM_UPGRADE_NODE_NAME" ]; then
      own=$address
      continue
    fi
    others=$((others + 1))
    if [ "$ready" != True ]; then
      pending+=("$name is not Ready")
    elif [ "$EMBEDDED_ETCD" = true ] && [ "$voter" != True ]; then
      pending+=("$name is not a voting etcd member")
    elif [ "$unschedulable" = true ]; then
      pending+=("$name is cordoned")
    fi
  done <<<"$table"
  if [ "$others" -lt $((SERVERS - 1)) ]; then
    pending+=("only $others of the $((SERVERS - 1)) other servers are registered")
  fi
  restart_lease_free "$own" || pending+=("$STATUS")
  settle "the $others other servers are whole; upgrading $SYSTEM_UPGRADE_NODE_NAME" "before upgrading $SYSTEM_UPGRADE_NODE_NAME" "${pending[@]}"
}

# The controller has processed the Plan at VERSION and finished it: otherwise
# nodes that already ran VERSION (a first apply, a resumed one) would pass
# before it cordons each server in turn, under the charts that install next.
plan_processed() {
  local status resolved hash applying table name label pending=() joined
  status=$(kubectl -n "$PLAN_NAMESPACE" get plans.upgrade.cattle.io "$PLAN_NAME" -o jsonpath='{.status.latestVersion}{"|"}{.status.latestHash}{"|"}{.status.applying}') || {
    STATUS="the API did not answer for the Plan $PLAN_NAMESPACE/$PLAN_NAME"
    log "$STATUS"
    return 1
  }
  IFS="|" read -r resolved hash applying <<<"$status"
  if [ "$resolved" != "${VERSION//+/-}" ] || [ -z "$hash" ]; then
    STATUS="the controller has not resolved the Plan at $VERSION yet (status: version ${resolved:-none}, hash ${hash:-none})"
  elif [ -n "$applying" ]; then
    STATUS="the controller is still applying the Plan on $applying"
  else
    table=$(server_table "$PLAN_NAME") || {
      STATUS="the API did not answer the node list"
      log "$STATUS"
      return 1
    }
    while IFS="|" read -r name _ _ _ _ label _; do
      [ -n "$name" ] && [ "$label" != "$hash" ] && pending+=("$name")
    done <<<"$table"
    if [ "${#pending[@]}" -eq 0 ]; then
      return 0
    fi
    joined=$(printf ', %s' "${pending[@]}")
    STATUS="the controller has not marked ${joined:2} done with the Plan's hash $hash"
  fi
  log "$STATUS"
  return 1
}

# The controllers whose pods Pod Security admission refused: the ReplicaSet, DaemonSet, Job and StatefulSet
# controllers record each refused create as a Warning Event, reason FailedCreate, on their object, with the API's
# message ("... is forbidden: violates PodSecurity \"restricted:latest\": ..."). A refusal is not transient: the
# gate stops at once. ADMITTED_ROUNDS counts the clean rounds.
ADMITTED_ROUNDS=0
pods_admitted() {
  local events refused
  events=$(kubectl get events -A --field-selector reason=FailedCreate \
    -o 'jsonpath={range .items[*]}{.involvedObject.kind} {.metadata.namespace}/{.involvedObject.name}: {.message}{"\n"}{end}') || {
    STATUS="could not list the Events"
    log "$STATUS"
    return 1
  }
  refused=$(grep -F 'violates PodSecurity' <<<"$events" | sort -u) || true
  if [ -n "$refused" ]; then
    STATUS="pods refused by Pod Security admission (exempt their namespace, or fix their security context): $(tr '\n' ';' <<<"$refused")"
    log "NOT ADMITTED: $STATUS"
    report_failure "$GATE: NOT ADMITTED: $STATUS"
    exit 1
  fi
  ADMITTED_ROUNDS=$((ADMITTED_ROUNDS + 1))
  [ "$ADMITTED_ROUNDS" -ge "${ROUNDS:-6}" ] || {
    settle "" "no pod refused yet" "$ADMITTED_ROUNDS of ${ROUNDS:-6} rounds"
    return
  }
  settle "no pod refused by Pod Security admission in ${ROUNDS:-6} rounds" ""
}

upgrade_done() {
  plan_applied && nodes_upgraded && plan_processed
}

main() {
  local check
  case $GATE in
    servers) check=servers_ready ;;
    admission) check=admission_ready ;;
    certificate) check=certificate_ready ;;
    upgrade) check=upgrade_done ;;
    prepare) check=others_ready ;;
    admitted) check=pods_admitted ;;
    *)
      log "unknown gate"
      return 2
      ;;
  esac
  log "waiting up to $DEADLINE_SECONDS s"
  if until_ready "$check"; then
    log "ready"
    return 0
  fi
  [ "$GATE" != servers ] || unregistered
  log "NOT READY after $DEADLINE_SECONDS s: $STATUS"
  report_failure "$GATE: NOT READY after $DEADLINE_SECONDS s: $STATUS"
  return 1
}

main "$@"
