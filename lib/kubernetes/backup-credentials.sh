#!/bin/bash
# rancher-aws-backup-credentials refresh|serve DIST (rke2 or k3s): the
# rancher-backup operator's AWS credentials, from this server's instance role,
# with no IAM user and no long-lived key (design notes, "Rancher backups").
#
#   refresh  (its timer, every 15 minutes) asks STS for hour-long credentials of
#            the backup role (AssumeRole, signed with the instance role) and
#            keeps them in CREDENTIALS_FILE, readable by root only. A failure
#            keeps the last ones (they last the hour) and sends the deployment's
#            metric BackupCredentialsFailed=1, whose alarm notifies the alarm
#            topic; the next success sends 0.
#   serve    (one connection, on stdin and stdout, from a socket unit) answers
#            the operator's container-credentials request: the pod sends its
#            service account token, the API server says whose it is
#            (TokenReview), and only the operator's gets the credentials.
#
# The operator (v10.0.8) takes no session token from its credential Secret, but
# its S3 client (minio-go v7.0.87) reads a container-credentials endpoint named
# by AWS_CONTAINER_CREDENTIALS_FULL_URI with AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE,
# which the stack sets on its Deployment: the pod's node address, this port.
set -euo pipefail
umask 077

set -a
# shellcheck source=/dev/null
. /etc/rancher/bootstrap.env
set +a
# shellcheck source=/dev/null
. /usr/local/lib/rancher-aws/boot-lib.sh

CREDENTIALS_FILE=${CREDENTIALS_FILE:-/run/rancher-aws/backup-credentials.json}
# Present while the last refresh failed: the next success sends the metric's 0.
FAILED_MARKER=/var/lib/rancher/rancher-aws/backup-credentials-failed
# The operator's service account (the chart names it after itself, in the namespace of its Secrets).
OPERATOR_ACCOUNT=system:serviceaccount:cattle-resources-system:rancher-backup
SESSION_SECONDS=3600

mode=${1:?usage: rancher-aws-backup-credentials refresh|serve k3s|rke2}
server_paths "${2:?usage: rancher-aws-backup-credentials refresh|serve k3s|rke2}"

# publish_failed VALUE: the deployment's metric BackupCredentialsFailed (1: the last refresh failed; 0: it succeeded
# after a failure), as cert-renewal.sh sends RestartHeld (put_metric).
publish_failed() {
  put_metric BackupCredentialsFailed "$1"
}

# assume_role: STS's AssumeRoleResponse for the backup role on stdout, or a log line and 1.
assume_role() {
  local body
  body=$(mktemp)
  if ! aws_post sts "$AWS_REGION" "$body" \
    "Action=AssumeRole&Version=2011-06-15&RoleSessionName=$(hostname)&DurationSeconds=$SESSION_SECONDS&RoleArn=${BACKUP_ROLE_ARN//\//%2F}" \
    --connect-timeout 5 --max-time 30; then
    log "AssumeRole of $BACKUP_ROLE_ARN failed (HTTP $AWS_STATUS): $(head -c 300 "$body" 2>/dev/null | tr '\n' ' ')"
    rm -f "$body"
    return 1
  fi
  cat "$body"
  rm -f "$body"
}

# as_container_credentials: the AssumeRoleResponse on stdin as the JSON a container-credentials endpoint answers.
as_container_credentials() {
  python3 -c 'import json, sys, xml.etree.ElementTree as ET
c = {e.tag.split("}")[-1]: e.text for e in ET.parse(sys.stdin).getroot().iter()}
print(json.dumps({"AccessKeyId": c["AccessKeyId"], "SecretAccessKey": c["SecretAccessKey"], "Token": c["SessionToken"], "Expiration": c["Expiration"]}))'
}

refresh() {
  local response json
  if response=$(assume_role) && json=$(as_container_credentials <<<"$response"); then
    mkdir -p "${CREDENTIALS_FILE%/*}"
    printf '%s\n' "$json" >"$CREDENTIALS_FILE.new"
    mv -f "$CREDENTIALS_FILE.new" "$CREDENTIALS_FILE"
    log "credentials of $BACKUP_ROLE_ARN refreshed, valid until $(json_field Expiration <<<"$json")"
    if [ -e "$FAILED_MARKER" ] && publish_failed 0; then rm -f "$FAILED_MARKER"; fi
    return 0
  fi
  log "CRITICAL: could not refresh the backup credentials; the operator keeps the last ones until they expire (docs/day-2.md, \"Alarms\")"
  mkdir -p "${FAILED_MARKER%/*}"
  touch "$FAILED_MARKER"
  publish_failed 1 || true
  return 1
}

# reply STATUS BODY: one HTTP/1.0 response on stdout.
reply() {
  printf 'HTTP/1.0 %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' "$1" "${#2}" "$2"
}

# serve: reads one request (at most 64 header lines, 10 s), answers it, and logs who was refused.
serve() {
  local line method token="" n=0 who
  IFS=' ' read -r -t 10 method _ _ || return 0
  while IFS= read -r -t 10 line && [ "${line%$'\r'}" != "" ] && [ "$n" -lt 64 ]; do
    n=$((n + 1))
    line=${line%$'\r'}
    case ${line,,} in
      authorization:*) token=${line#*:} token=${token# } ;;
    esac
  done
  # A JWT is base64url parts and dots: anything else is refused before it reaches the TokenReview's JSON.
  if [ "$method" != GET ] || ! [[ $token =~ ^[A-Za-z0-9._-]{1,8192}$ ]]; then
    reply '403 Forbidden' '{"message":"a service account token is required"}'
    return 0
  fi
  who=$(printf '{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"%s"}}' "$token" |
    kube create -f - -o 'jsonpath={.status.authenticated} {.status.user.username}' 2>/dev/null) || who=""
  if [ "$who" != "true $OPERATOR_ACCOUNT" ]; then
    log "refused credentials to ${who#* } (only $OPERATOR_ACCOUNT gets them)"
    reply '403 Forbidden' '{"message":"only the rancher-backup operator gets these credentials"}'
    return 0
  fi
  if [ ! -s "$CREDENTIALS_FILE" ]; then
    log "the operator asked before the first refresh succeeded"
    reply '503 Service Unavailable' '{"message":"no credentials yet"}'
    return 0
  fi
  reply '200 OK' "$(cat "$CREDENTIALS_FILE")"
}

[ -n "${BACKUP_ROLE_ARN:-}" ] || {
  log "no BACKUP_ROLE_ARN in bootstrap.env: nothing to do"
  exit 0
}
case $mode in
  refresh) refresh ;;
  serve) serve ;;
  *)
    log "unknown mode $mode"
    exit 2
    ;;
esac
