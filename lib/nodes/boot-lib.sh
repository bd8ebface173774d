#!/bin/bash
# Shared first-boot helpers of the Rancher server nodes. Written by cloud-init to
# /usr/local/lib/rancher-aws/boot-lib.sh and sourced (not run) by the bootstrap
# scripts after their env file, which sets:
#   AWS_REGION        region of the SSM parameters
#   PARAMETER_PREFIX  SSM path holding the node's secrets
# and, for the server nodes' peer and cluster helpers:
#   NODE_ROLE         init: may start a new cluster; join: only ever joins one
#   PEER_IPS          fixed addresses the other servers may have, in the order tried
#   PREVIOUS_SERVER_IPS  addresses of the server created just before this one
#                     (empty for the first): joins go one at a time
#   PEER_WAIT_SECONDS how long a joining server waits for a live peer
# Budgets that may be overridden from the environment (tests shorten them):
#   FETCH_ATTEMPTS (30, 10 s apart), STATE_ATTEMPTS (10, 15 s apart),
#   TURN_WAIT_SECONDS (1200)
#
# Secrets come from SSM Parameter Store with the instance role, never from user
# data. The request is signed by curl itself (--aws-sigv4), so the image needs
# no AWS CLI; credentials are passed to curl on stdin, not on its command line.

IMDS=http://169.254.169.254/latest
CREDENTIALS_CONFIG=""
CREDENTIALS_AT=0
FETCH_ATTEMPTS=${FETCH_ATTEMPTS:-30}
STATE_ATTEMPTS=${STATE_ATTEMPTS:-10}
TURN_WAIT_SECONDS=${TURN_WAIT_SECONDS:-1200}
# Set by cluster_state, read by the bootstrap scripts.
# shellcheck disable=SC2034
CLUSTER_INITIALIZED=unknown

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

# curl_credentials: the instance role's credentials (IMDS JSON on stdin) as
# curl config lines, so they reach curl on stdin, never on its command line.
curl_credentials() {
  python3 -c 'import json, sys
c = json.load(sys.stdin)
print("user = \"%s:%s\"" % (c["AccessKeyId"], c["SecretAccessKey"]))
print("header = \"X-Amz-Security-Token: %s\"" % c["Token"])'
}

# ssm_credentials: the instance role's credentials as curl config lines, read
# through IMDSv2 at most every 10 minutes (they are valid for hours).
ssm_credentials() {
  local role creds
  if [ -n "${CREDENTIALS_CONFIG:-}" ] && [ $((SECONDS - CREDENTIALS_AT)) -lt 600 ]; then
    return 0
  fi
  role=$(imds_get meta-data/iam/security-credentials/) || return 1
  creds=$(imds_get "meta-data/iam/security-credentials/$role") || return 1
  CREDENTIALS_CONFIG=$(curl_credentials <<<"$creds") || return 1
  CREDENTIALS_AT=$SECONDS
}

# ssm_lookup NAME FILE: writes the decrypted value of PARAMETER_PREFIX/NAME to
# FILE, byte for byte. Exit status: 0 found, 3 when SSM answers that the
# parameter does not exist, 1 for any other failure (no credentials yet,
# throttling, KMS, network): only an explicit "not found" means absent.
ssm_lookup() {
  local name=$PARAMETER_PREFIX/$1 out=$2 body status
  ssm_credentials || return 1
  body=$(mktemp)
  status=$(
    printf '%s\n' "$CREDENTIALS_CONFIG" | curl -s --config - -o "$body" -w '%{http_code}' \
      --aws-sigv4 "aws:amz:$AWS_REGION:ssm" \
      -H 'X-Amz-Target: AmazonSSM.GetParameter' \
      -H 'Content-Type: application/x-amz-json-1.1' \
      --data "{\"Name\":\"$name\",\"WithDecryption\":true}" \
      "https://ssm.$AWS_REGION.amazonaws.com/"
  ) || status=000
  case $status in
    200)
      json_field Parameter Value <"$body" >"$out" || status=000
      ;;
    400)
      if grep -q ParameterNotFound "$body"; then
        rm -f "$body"
        return 3
      fi
      ;;
  esac
  rm -f "$body"
  # Expired or rotated credentials: read them again on the next try.
  [ "$status" = 200 ] || CREDENTIALS_CONFIG=""
  [ "$status" = 200 ]
}

# ssm_get NAME: prints the decrypted value of one parameter (0, 3 or 1 as ssm_lookup).
ssm_get() {
  ssm_lookup "$1" /dev/stdout
}

# fetch_to NAME FILE [PREFIX]: writes one parameter to FILE, readable by root
# only, retrying failures. Without PREFIX the file holds exactly the stored
# bytes (the join token's CA hash is computed over the CA file as written);
# with PREFIX it is one line "PREFIX<value>".
fetch_to() {
  local value
  value=$(mktemp)
  retry "$FETCH_ATTEMPTS" 10 ssm_lookup "$1" "$value"
  install -D -m 0600 /dev/null "$2"
  if [ -n "${3:-}" ]; then
    { printf '%s' "$3"; cat "$value"; printf '\n'; } >"$2"
  else
    cat "$value" >"$2"
  fi
  rm -f "$value"
}

# cluster_state: sets CLUSTER_INITIALIZED from the cluster-initialized
# parameter, which Terraform writes once the API answered. Fails closed: SSM
# errors are retried, and only SSM's own "not found" means the cluster was
# never initialized. An init node booting after that (a replaced first
# server) becomes a joining node and never starts a second cluster.
cluster_state() {
  local attempt status
  for ((attempt = 1; attempt <= STATE_ATTEMPTS; attempt++)); do
    status=0
    ssm_lookup cluster-initialized /dev/null || status=$?
    case $status in
      0)
        CLUSTER_INITIALIZED=true
        if [ "$NODE_ROLE" = init ]; then
          log "the cluster was initialized before: joining it"
          NODE_ROLE="join"
        fi
        return 0
        ;;
      3)
        # shellcheck disable=SC2034
        CLUSTER_INITIALIZED=false
        return 0
        ;;
    esac
    log "cannot read the cluster-initialized parameter (attempt $attempt); retrying"
    sleep 15
  done
  log "SSM kept failing: refusing to decide whether the cluster exists"
  return 1
}

# live_peer PORT: prints the first address in PEER_IPS whose supervisor answers
# /ping on PORT with "pong" (no secret is sent; "starting" is not an answer).
live_peer() {
  local peer
  for peer in $PEER_IPS; do
    if [ "$(curl -sk --connect-timeout 3 --max-time 5 "https://$peer:$1/ping" || true)" = pong ]; then
      echo "$peer"
      return 0
    fi
  done
  return 1
}

# find_peer PORT SECONDS: prints a live peer, probing every 10 seconds for up
# to SECONDS (0: probe once). Fails when none answered, at once when there
# are no peers at all (a single server).
find_peer() {
  local peer waited=0
  [ -n "$PEER_IPS" ] || return 1
  until peer=$(live_peer "$1"); do
    if [ "$waited" -ge "$2" ]; then
      log "no server answered on $PEER_IPS within $2 s"
      return 1
    fi
    sleep 10
    waited=$((waited + 10))
  done
  echo "$peer"
}

# is_voting_member PORT CA PASSWORD IP...: true when the etcd member list of a
# live peer (its supervisor's /db/info, authenticated as the server user,
# verified against the cluster CA) has a voting member at one of the IPs.
is_voting_member() {
  local port=$1 ca=$2 password=$3 peer members
  shift 3
  for peer in $PEER_IPS; do
    members=$(printf 'user = "server:%s"\n' "$password" |
      curl -sf --config - --connect-timeout 3 --max-time 5 --cacert "$ca" "https://$peer:$port/db/info") || continue
    python3 -c 'import json, sys
members = json.load(sys.stdin).get("members") or []
wanted = {"https://%s:2380" % ip for ip in sys.argv[1:]}
voters = [m for m in members if not m.get("isLearner") and wanted & set(m.get("peerURLs") or [])]
sys.exit(0 if voters else 1)' "$@" <<<"$members"
    return
  done
  return 1
}

# wait_turn PORT CA PASSWORD: joins go one at a time, so that etcd never has two
# learners to promote: a server waits until the server created just before it
# (PREVIOUS_SERVER_IPS) is a voting member, for up to 20 minutes. Past that it
# joins anyway (etcd itself admits one learner at a time) and says so.
wait_turn() {
  local waited=0
  [ -n "${PREVIOUS_SERVER_IPS:-}" ] || return 0
  # shellcheck disable=SC2086 # one argument per address
  until is_voting_member "$1" "$2" "$3" $PREVIOUS_SERVER_IPS; do
    if [ "$waited" -ge "$TURN_WAIT_SECONDS" ]; then
      log "the previous server ($PREVIOUS_SERVER_IPS) is not a voting etcd member after $waited s; joining anyway"
      return 0
    fi
    sleep 10
    waited=$((waited + 10))
  done
  log "the previous server is a voting etcd member: joining"
}

# token_password TOKEN_FILE: the secret part of a join token (after the last ':').
token_password() {
  local token
  token=$(<"$1")
  printf '%s' "${token##*:}"
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
