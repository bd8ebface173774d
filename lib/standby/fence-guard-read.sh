#!/bin/bash
# The reader of k8s-ha's failover fence guard (lib/standby/fence-guard.ts): the init container, in the AWS CLI's image.
# It asks SSM in the standby region whether the failover's fence (FENCE_PARAMETER) is there, with the identity the
# guard's service account gets (its own IAM user's key, or a role EKS hands it), and writes what it saw to FENCE_STATE
# for the guard's main container:
#   set      GetParameter answered: a failover moved the hostname to the standby.
#   absent   SSM answered ParameterNotFound (the AWS CLI exits 254, a service's error, naming the code on stderr).
#   unknown  anything else (no answer, a refusal, no credentials): said here, so the pod's log has the reason.
# It always exits 0: an unknown fence leaves Rancher as it is, the main container's decision.
set -uo pipefail

: "${FENCE_PARAMETER:?}" "${FENCE_REGION:?}" "${FENCE_STATE:?}"

status=0
# Standard error kept, the answer dropped: only whether the parameter exists counts.
said=$(aws ssm get-parameter --region "$FENCE_REGION" --name "$FENCE_PARAMETER" --query Parameter.Name --output text \
  --cli-connect-timeout 5 --cli-read-timeout 10 2>&1 >/dev/null) || status=$?
if [ "$status" = 0 ]; then
  state='set'
elif [ "$status" = 254 ] && [[ $said == *"(ParameterNotFound)"* ]]; then
  state=absent
else
  state=unknown
  said=${said//$'\n'/ }
  echo "could not read the fence $FENCE_PARAMETER in $FENCE_REGION (aws exited $status: ${said:0:300}); Rancher left as it is"
fi
echo "$state" >"$FENCE_STATE"
