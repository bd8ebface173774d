#!/bin/bash
# k8s-ha's failover fence guard (lib/standby/fence-guard.ts), the main container, in the readiness gates' image
# (bash and kubectl): what the reader (fence-guard-read.sh) saw of the fence, then the decision rke-ha's servers take
# (lib/kubernetes/failover-fence.sh from its decision on, with rancher_state: fenceDecision appends them), through
# kubectl with the guard's service account, which may get and patch cattle-system/rancher and nothing else.
set -euo pipefail

: "${FENCE_PARAMETER:?}" "${FENCE_REGION:?}" "${FENCE_STATE:?}"

kube() {
  kubectl --request-timeout=20s "$@"
}

log() {
  echo "$*"
}

FENCE=$(cat "$FENCE_STATE" 2>/dev/null) || FENCE=unknown
case $FENCE in
  set | absent) ;;
  *)
    # The reader said why.
    FENCE=unknown
    ;;
esac
