#!/bin/bash
# Shared first-boot helpers of the Rancher server nodes. Written by cloud-init to
# /usr/local/lib/rancher-aws/boot-lib.sh and sourced (not run) by the bootstrap
# scripts after their env file, which sets:
#   AWS_REGION        region of the SSM parameters
#   PARAMETER_PREFIX  SSM path holding the node's secrets
#
# Secrets come from SSM Parameter Store with the instance role, never from user
# data. The request is signed by curl itself (--aws-sigv4), so the image needs
# no AWS CLI; credentials are passed to curl on stdin, not on its command line.

IMDS=http://169.254.169.254/latest

# Messages go to stderr (the cloud-init log), tagged with the calling script's name.
log() { echo "${0##*/}: $*" >&2; }

# retry ATTEMPTS DELAY COMMAND...: runs COMMAND until it succeeds.
retry() {
  local attempts=$1 delay=$2 n=1
  shift 2
  until "$@"; do
    if [ "$n" -ge "$attempts" ]; then
      log "giving up after $n attempts: $*"
      return 1
    fi
    n=$((n + 1))
    sleep "$delay"
  done
}

# imds_get PATH: one instance metadata value, through an IMDSv2 session token.
imds_get() {
  local token
  token=$(curl -sf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' "$IMDS/api/token")
  curl -sf -H "X-aws-ec2-metadata-token: $token" "$IMDS/$1"
}

# json_field KEY...: prints the string at KEY/KEY/... of the JSON document on stdin.
json_field() {
  python3 -c 'import json, sys
value = json.load(sys.stdin)
for key in sys.argv[1:]:
    value = value[key]
sys.stdout.write(value)' "$@"
}

# Prints the decrypted value of one parameter under PARAMETER_PREFIX.
ssm_get() {
  local name=$PARAMETER_PREFIX/$1 role creds
  role=$(imds_get meta-data/iam/security-credentials/)
  creds=$(imds_get "meta-data/iam/security-credentials/$role")
  {
    printf 'user = "%s:%s"\n' "$(json_field AccessKeyId <<<"$creds")" "$(json_field SecretAccessKey <<<"$creds")"
    printf 'header = "X-Amz-Security-Token: %s"\n' "$(json_field Token <<<"$creds")"
  } | curl -sf --config - \
    --aws-sigv4 "aws:amz:$AWS_REGION:ssm" \
    -H 'X-Amz-Target: AmazonSSM.GetParameter' \
    -H 'Content-Type: application/x-amz-json-1.1' \
    --data "{\"Name\":\"$name\",\"WithDecryption\":true}" \
    "https://ssm.$AWS_REGION.amazonaws.com/" | json_field Parameter Value
}

# fetch_to NAME FILE [PREFIX]: writes one parameter (after PREFIX) to FILE, readable by root only.
fetch_to() {
  local value
  value=$(retry 30 10 ssm_get "$1")
  install -D -m 0600 /dev/null "$2"
  printf '%s%s\n' "${3:-}" "$value" >"$2"
}

# live_peer PORT: prints the first address in PEER_IPS whose supervisor answers
# /ping on PORT (no secret is sent; the answer is only compared with "pong").
live_peer() {
  local peer
  for peer in $PEER_IPS; do
    if [ "$(curl -sk --max-time 5 "https://$peer:$1/ping" || true)" = pong ]; then
      echo "$peer"
      return 0
    fi
  done
  return 1
}

# find_peer PORT: a live peer, if any. A joining node (NODE_ROLE=join) waits
# for one, up to 30 minutes (a slow first boot); the init node does not wait.
find_peer() {
  local peer waited=0
  until peer=$(live_peer "$1"); do
    if [ "$NODE_ROLE" = init ]; then
      return 0
    fi
    if [ "$waited" -ge 1800 ]; then
      log "no server answered on $PEER_IPS"
      return 1
    fi
    sleep 10
    waited=$((waited + 10))
  done
  echo "$peer"
}

# run_installer URL [NAME=VALUE...]: downloads an installer script and runs it
# with the given environment.
run_installer() {
  local url=$1 installer
  shift
  installer=$(mktemp)
  retry 10 15 curl -sfL -o "$installer" "$url"
  env "$@" sh "$installer"
  rm -f "$installer"
}

# guard_init: Terraform writes the cluster-initialized parameter once the API
# answered. An init node booting after that (a replaced first server) joins
# like the others and never starts a second cluster beside the first.
guard_init() {
  if [ "$NODE_ROLE" = init ] && ssm_get cluster-initialized >/dev/null 2>&1; then
    log "the cluster was initialized before: joining it"
    NODE_ROLE="join"
  fi
}
