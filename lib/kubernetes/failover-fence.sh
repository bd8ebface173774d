#!/bin/bash
# rancher-aws-failover-fence DIST (rke2 or k3s): production's side of the failover's fence
# (docs/development/standby-trust.md, "The fence"). Run by its timer at boot and every 30 seconds on every server.
#
# A failover writes the SSM parameter PARAMETER_PREFIX/failover-fence in the standby region before it moves the
# hostname's records there, and the failback deletes it. Which region that is, production's apply writes beside the
# boot parameters (PARAMETER_PREFIX/failover-fence-region, with standby.region; none without): so the script is on
# every server whatever the settings, and turning a standby on changes no server. This script reads both
# (GetParameter, signed with the instance role, which may read the fence there) and, the fence:
#   set      keeps Rancher's Deployment (cattle-system/rancher) at 0 replicas: the replicas it had are kept in the
#            annotation FENCED_ANNOTATION first, then it is scaled to 0; scaled up again meanwhile (a Helm upgrade), it
#            is scaled to 0 again. Production's Rancher then runs no controller beside the standby's.
#   absent   (SSM answers ParameterNotFound) gives Rancher back the replicas the annotation kept, then removes it;
#            without the annotation it touches nothing.
#   unknown  (the standby region does not answer, or refuses) leaves Rancher as it is and says why in the journal:
#            an outage of the standby region must never stop production.
# Every server runs it; each step is idempotent (annotate before scaling down, scale up before removing the
# annotation), so runs on several servers at once, or a run stopped halfway, end where one run would.
# Scaling a Deployment restarts no server: this takes no part in the restart protocol (standby-trust.md says why).
# k8s-ha's guard (a CronJob in production's cluster: lib/standby/fence-guard.ts) runs this script's decision as well.
set -euo pipefail

set -a
# shellcheck source=/dev/null
. /etc/rancher/bootstrap.env
set +a
# shellcheck source=/dev/null
. /usr/local/lib/rancher-aws/boot-lib.sh

NAMESPACE=cattle-system
DEPLOYMENT=rancher
FENCED_ANNOTATION=rancher-ha-aws/fenced-replicas

server_paths "${1:?usage: rancher-aws-failover-fence k3s|rke2}"
# The names lib/standby/standby-facts-keys.ts gives them.
FENCE_PARAMETER=$PARAMETER_PREFIX/failover-fence
REGION_PARAMETER=failover-fence-region

# fence_region: FENCE_REGION, the standby region production's apply named; 3 without a standby (absent), 1 when SSM
# here did not answer (logged).
fence_region() {
  local status=0
  FENCE_REGION=$(ssm_get "$REGION_PARAMETER") || status=$?
  case $status in
    0) [ -n "$FENCE_REGION" ] || status=3 ;;
    3) ;;
    *) log "could not read $PARAMETER_PREFIX/$REGION_PARAMETER in $AWS_REGION (where the fence is); Rancher left as it is" ;;
  esac
  return "$status"
}

# fence_state: FENCE is set, absent or unknown (the last one logged with the answer), as SSM in FENCE_REGION says.
fence_state() {
  local body
  body=$(mktemp)
  if aws_post ssm "$FENCE_REGION" "$body" "{\"Name\":\"$FENCE_PARAMETER\"}" \
    -H 'X-Amz-Target: AmazonSSM.GetParameter' -H 'Content-Type: application/x-amz-json-1.1' \
    --connect-timeout 5 --max-time 15; then
    FENCE='set'
  elif [ "$AWS_STATUS" = 400 ] && grep -q ParameterNotFound "$body"; then
    FENCE=absent
  else
    FENCE=unknown
    log "could not read the fence $FENCE_PARAMETER in $FENCE_REGION (HTTP $AWS_STATUS: $(head -c 200 "$body" 2>/dev/null | tr '\n' ' ')); Rancher left as it is"
  fi
  rm -f "$body"
}

# rancher_state: REPLICAS and FENCED (the annotation, "" without it) of the Deployment; 1 when it does not exist
# (Rancher not installed yet), 2 when the API did not answer.
rancher_state() {
  local out
  if ! out=$(kube -n "$NAMESPACE" get deployment "$DEPLOYMENT" --ignore-not-found \
    -o "jsonpath={.spec.replicas} {.metadata.annotations.${FENCED_ANNOTATION}}" 2>&1); then
    log "could not read $NAMESPACE/$DEPLOYMENT: $out"
    return 2
  fi
  [ -n "$out" ] || return 1
  read -r REPLICAS FENCED <<<"$out" || true
}

status=0
fence_region || status=$?
case $status in
  0) fence_state ;;
  # No standby (or no longer one): no fence to honour; a count kept from one is given back below.
  3) FENCE=absent ;;
  *) exit 0 ;;
esac
# The decision, from here to the end, with rancher_state and the names above: k8s-ha's guard runs the same text
# (lib/standby/fence-guard.ts, fenceDecision), its FENCE read by the AWS CLI in a pod instead.
[ "$FENCE" != unknown ] || exit 0
status=0
rancher_state || status=$?
case $status in
  1) exit 0 ;;
  2) exit 1 ;;
esac

if [ "$FENCE" = set ]; then
  [ "$REPLICAS" != 0 ] || exit 0
  # The count to give back: the first run's (a Helm upgrade scaling it up again must not overwrite it).
  kube -n "$NAMESPACE" annotate deployment "$DEPLOYMENT" --overwrite "$FENCED_ANNOTATION=${FENCED:-$REPLICAS}" >/dev/null
  kube -n "$NAMESPACE" scale deployment "$DEPLOYMENT" --replicas=0 >/dev/null
  log "the fence $FENCE_PARAMETER is in $FENCE_REGION (a failover moved the hostname there): $NAMESPACE/$DEPLOYMENT scaled from $REPLICAS to 0"
elif [ -n "$FENCED" ]; then
  kube -n "$NAMESPACE" scale deployment "$DEPLOYMENT" --replicas="$FENCED" >/dev/null
  kube -n "$NAMESPACE" annotate deployment "$DEPLOYMENT" "$FENCED_ANNOTATION-" >/dev/null
  log "the fence $FENCE_PARAMETER is gone from $FENCE_REGION (the failback): $NAMESPACE/$DEPLOYMENT scaled back to $FENCED"
fi
