#!/bin/bash
# Writes the private registry's login (airGap.registryCredentials) into registries.yaml as configs.<host>.auth,
# readable by root only: first in every run of the bootstrap (an ExecStartPre of rancher-aws-bootstrap.service), then
# before every start of rke2-server / k3s (an ExecStartPre drop-in), which is when RKE2 and K3s read registries.yaml
# and render containerd's configuration from it. The login comes from SSM Parameter Store or Secrets Manager with the
# instance role, never from user data: a JSON object with the string fields username and password.
#
# Before the file exists, a failure stops the start with one line saying why (not found, access denied, not the
# expected JSON); the bootstrap unit runs again later, so a secret created or a grant fixed afterwards is picked up.
# Once the file exists (a restart), a failure keeps the login of the last start, so the server still starts. A
# changed secret is used from the next start of the server on (docs/air-gap.md, "A registry that needs a login").
#
# Usage: rancher-aws-registry-credentials rke2|k3s
# Reads /etc/rancher/bootstrap.env: AWS_REGION, REGISTRY_HOST (host[:port]), REGISTRY_STORE (ssm | secretsmanager),
# REGISTRY_SECRET (a name, in AWS_REGION, or an ARN, in its own region). REGISTRY_ATTEMPTS (3, 10 s apart) bounds
# the retries of a failure that may pass (network, throttling).
set -euo pipefail
umask 077

set -a
# shellcheck source=/dev/null
. /etc/rancher/bootstrap.env
set +a
# shellcheck source=/dev/null
. /usr/local/lib/rancher-aws/boot-lib.sh

case ${1:-} in
  rke2 | k3s) ;;
  *)
    log "usage: ${0##*/} rke2|k3s"
    exit 2
    ;;
esac
DIR=/etc/rancher/$1
TARGET=$DIR/registries.yaml
# The mirrors as cloud-init wrote them (absent without mirrors): the login is added to them.
MIRRORS=$DIR/registries-mirrors.yaml
ATTEMPTS=${REGISTRY_ATTEMPTS:-3}
REGION=$AWS_REGION
case $REGISTRY_SECRET in
  arn:*) REGION=$(cut -d: -f4 <<<"$REGISTRY_SECRET") ;;
esac
if [ "$REGISTRY_STORE" = ssm ]; then
  SERVICE=ssm
  WHERE="the SSM parameter $REGISTRY_SECRET"
else
  SERVICE=secretsmanager
  WHERE="the Secrets Manager secret $REGISTRY_SECRET"
fi
PROBLEM=""

# error_of: "<type>: <message>" of an AWS JSON error answer on stdin (the type without its namespace).
error_of() {
  python3 -c 'import json, sys
try:
    e = json.load(sys.stdin)
except ValueError:
    e = {}
kind = str(e.get("__type", "unknown error")).split("#")[-1]
print("%s: %s" % (kind, e.get("message") or e.get("Message") or ""))'
}

# read_secret FILE: writes the stored value to FILE. Status 0: read; 3: no such parameter or secret; 4: refused
# (the role's grant, the KMS key or its policy); 5: no string value; 1: anything else (network, throttling).
# PROBLEM says what happened.
read_secret() {
  local out=$1 body status data target
  if [ "$SERVICE" = ssm ]; then
    target=AmazonSSM.GetParameter
    data="{\"Name\":\"$REGISTRY_SECRET\",\"WithDecryption\":true}"
  else
    target=secretsmanager.GetSecretValue
    data="{\"SecretId\":\"$REGISTRY_SECRET\"}"
  fi
  if ! ssm_credentials; then
    PROBLEM="no credentials of the instance role from the instance metadata"
    return 1
  fi
  body=$(mktemp)
  # Bounded: this runs before every start of the server, and a call that hangs would hold the start.
  aws_post "$SERVICE" "$REGION" "$body" "$data" -H "X-Amz-Target: $target" -H 'Content-Type: application/x-amz-json-1.1' \
    --connect-timeout 5 --max-time 30 || true
  status=$AWS_STATUS
  case $status in
    200)
      local field=(SecretString)
      [ "$SERVICE" != ssm ] || field=(Parameter Value)
      if ! json_field "${field[@]}" <"$body" >"$out" 2>/dev/null; then
        status=5
        PROBLEM="not a string (a binary secret?)"
      fi
      ;;
    000) PROBLEM="no answer from the $SERVICE endpoint in $REGION" ;;
    *) PROBLEM="HTTP $status, $(error_of <"$body")" ;;
  esac
  rm -f "$body"
  case $status:$PROBLEM in
    200:*) return 0 ;;
    5:*) return 5 ;;
    *ParameterNotFound* | *ResourceNotFoundException*) return 3 ;;
    *AccessDenied* | *KMS* | *InvalidKeyId* | *DecryptionFailure* | *UnrecognizedClient* | *InvalidSignature*) return 4 ;;
  esac
  return 1
}

# login_yaml HOST: the registries.yaml lines of HOST's login from the JSON on stdin; fails unless it has the string
# fields username and password. Each value is a YAML double-quoted scalar with every character outside printable
# ASCII and Unicode escaped, so any password reaches RKE2 as it is.
login_yaml() {
  python3 -c 'import json, sys
def quoted(s):
    out = []
    for c in s:
        n = ord(c)
        if c in "\"\\":
            out.append("\\" + c)
        elif 0x20 <= n < 0x7f or (n >= 0xa0 and n not in (0x2028, 0x2029, 0xfeff) and not 0xd800 <= n < 0xe000):
            out.append(c)
        elif n <= 0xffff:
            out.append("\\u%04x" % n)
        else:
            out.append("\\U%08x" % n)
    return "\"" + "".join(out) + "\""
try:
    login = json.load(sys.stdin)
    user, password = login["username"], login["password"]
except (ValueError, KeyError, TypeError):
    sys.exit(1)
if not (isinstance(user, str) and isinstance(password, str) and user and password):
    sys.exit(1)
print("configs:\n  %s:\n    auth:\n      username: %s\n      password: %s" % (quoted(sys.argv[1]), quoted(user), quoted(password)))' "$1"
}

main() {
  local value next status attempt
  value=$(mktemp)
  for ((attempt = 1; ; attempt++)); do
    status=0
    read_secret "$value" || status=$?
    if [ "$status" != 1 ] || [ "$attempt" -ge "$ATTEMPTS" ]; then break; fi
    sleep 10
  done
  # Beside the target, under a name RKE2 and K3s do not read, then renamed over it.
  next=$(mktemp "$TARGET.XXXXXX")
  if [ "$status" = 0 ] && ! { if [ -f "$MIRRORS" ]; then cat "$MIRRORS"; fi && login_yaml "$REGISTRY_HOST" <"$value"; } >"$next"; then
    status=5
    PROBLEM="not a JSON object with the string fields username and password"
  fi
  rm -f "$value"
  if [ "$status" != 0 ]; then
    rm -f "$next"
    case $status in
      3) PROBLEM="it does not exist ($PROBLEM); create it, or correct airGap.registryCredentials" ;;
      4) PROBLEM="access denied ($PROBLEM); the node role may read only this one, and decrypt it only through $SERVICE: check the name or ARN, and the key policy of a customer managed KMS key" ;;
      5) PROBLEM="its value is $PROBLEM" ;;
    esac
    if [ -f "$TARGET" ]; then
      log "cannot read the registry login for $REGISTRY_HOST from $WHERE: $PROBLEM; keeping the one from the last start"
      return 0
    fi
    log "cannot read the registry login for $REGISTRY_HOST from $WHERE: $PROBLEM"
    return 1
  fi
  if cmp -s "$next" "$TARGET"; then
    rm -f "$next"
    return 0
  fi
  if [ -f "$TARGET" ]; then
    log "the registry login for $REGISTRY_HOST changed in $WHERE: using the new one"
  else
    log "wrote the registry login for $REGISTRY_HOST from $WHERE"
  fi
  mv "$next" "$TARGET"
}

main "$@"
