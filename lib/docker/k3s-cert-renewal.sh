#!/bin/bash
# rancher-aws-k3s-cert-renewal: renews the certificates of the K3s cluster that runs inside the rancher container,
# by restarting the container before they end. Run by rancher-aws-k3s-cert-renewal.timer on the Docker host.
#
# The rancher/rancher image runs an embedded K3s whose data directory is /var/lib/rancher/k3s, on the host's data
# volume. K3s issues its client and server certificates for a year and renews them only when it starts, once they
# are within its renewal window (90 days, 120 from K3s 1.31) or already ended (docs.k3s.io "Certificate
# Management"; K3s pkg/daemons/config types.go CertificateRenewDays). Nothing else restarts this container, so a
# Rancher left alone for a year stops working (rancher/rancher#31404, #26984).
#
# Each run: reads when the earliest leaf certificate ends, reports it (the SSM parameter every plan reads, and the
# metric K3sCertificateDaysLeft); nothing more unless it ends within RENEW_WITHIN_DAYS. Then restarts the same
# container (never a new one: its data, arguments and image stay as they are), waits (bounded) for Rancher's
# /ping, and reads the certificates again. A restart that fails, a Rancher that does not answer, or certificates
# that did not change are logged with the reason, set K3sCertificateRenewalFailed to 1 (its alarm notifies the
# alarm topic) and leave the container as it is (started again if Docker left it stopped); one that renewed nothing
# also stops further restarts until a person looks (STUCK). A renewal that worked sets the metric to 0.
#
# Reads /etc/rancher-aws/docker.env (AWS_REGION, PARAMETER_PREFIX, HTTPS_PROXY and NO_PROXY, and
# RESTART_METRIC_NAMESPACE with alarms on, and RENEW_WITHIN_DAYS). Budgets that may be overridden from the
# environment (tests shorten them): RENEW_WITHIN_DAYS (60), READY_SECONDS (900), POLL_SECONDS (10).
set -euo pipefail
umask 077

set -a
# shellcheck source=/dev/null
. /etc/rancher-aws/docker.env
set +a
# shellcheck source=/dev/null
. /usr/local/lib/rancher-aws/boot-lib.sh

# Well inside K3s' renewal window (90 days at the least), a month before the last 30 days, with a daily retry.
RENEW_WITHIN_DAYS=${RENEW_WITHIN_DAYS:-60}
READY_SECONDS=${READY_SECONDS:-900}
POLL_SECONDS=${POLL_SECONDS:-10}
K3S_DIR=/var/lib/rancher/k3s
CONTAINER=rancher
# The SSM parameter (under PARAMETER_PREFIX) Terraform made for the report; the host only overwrites it.
END_PARAMETER=k3s-certificate-end/$CONTAINER
# Left by a restart that renewed nothing: no further restarts until a person looks (and removes it).
STUCK=/var/lib/rancher/rancher-aws/k3s-renewal-stuck

# The leaf certificates K3s renews at start: the server's and the agent's, not the CAs (ten years, never renewed
# at start) nor the temporary ones.
leaf_certificates() {
  local file
  for file in "$K3S_DIR"/server/tls/*.crt "$K3S_DIR"/server/tls/etcd/*.crt "$K3S_DIR"/agent/*.crt; do
    [ -f "$file" ] || continue
    case ${file##*/} in *-ca.crt) continue ;; esac
    echo "$file"
  done
}

# earliest_end: prints "<end in seconds since the epoch> <file>" of the leaf certificate that ends first; fails
# when there is none (Rancher never started on this data yet).
earliest_end() {
  local file end best="" best_file=""
  while read -r file; do
    end=$(openssl x509 -enddate -noout -in "$file") || continue
    end=$(date -d "${end#notAfter=}" +%s) || continue
    if [ -z "$best" ] || [ "$end" -lt "$best" ]; then
      best=$end
      best_file=$file
    fi
  done < <(leaf_certificates)
  [ -n "$best" ] && echo "$best $best_file"
}

# report END: the end (RFC 3339) to the parameter every plan reads (check k3s_certificate), and the days left as
# the metric K3sCertificateDaysLeft. Never fails the run; the next run sends both again.
report() {
  local end days
  end=$(date -u -d "@$1" +%FT%TZ)
  days=$((($1 - $(date +%s)) / 86400))
  aws_post ssm "$AWS_REGION" /dev/null "{\"Name\":\"$PARAMETER_PREFIX/$END_PARAMETER\",\"Value\":\"$end\",\"Type\":\"String\",\"Overwrite\":true}" \
    -H 'X-Amz-Target: AmazonSSM.PutParameter' -H 'Content-Type: application/x-amz-json-1.1' --max-time 20 ||
    log "could not report the K3s certificates' end $end (HTTP $AWS_STATUS)"
  put_metric K3sCertificateDaysLeft "$days" || true
}

# failed WHY: says why the renewal failed, sets the failure metric, and ends the run with an error.
failed() {
  log "CRITICAL: $1"
  put_metric K3sCertificateRenewalFailed 1 || true
  exit 1
}

# rancher_answers: Rancher's /ping over plain HTTP on the host (its listener answers /ping without a redirect).
rancher_answers() {
  [ "$(curl -s --connect-timeout 3 --max-time 5 http://127.0.0.1/ping || true)" = pong ]
}

# wait_ready: polls /ping every POLL_SECONDS for up to READY_SECONDS.
wait_ready() {
  local waited=0
  until rancher_answers; do
    [ "$waited" -lt "$READY_SECONDS" ] || return 1
    sleep "$POLL_SECONDS"
    waited=$((waited + POLL_SECONDS))
  done
}

main() {
  local found end file days error renewed
  if ! found=$(earliest_end); then
    log "no K3s certificate under $K3S_DIR yet (Rancher has not started on this data): nothing to renew"
    exit 0
  fi
  read -r end file <<<"$found"
  report "$end"
  days=$(((end - $(date +%s)) / 86400))
  if [ "$days" -ge "$RENEW_WITHIN_DAYS" ]; then
    log "the K3s certificates end $(date -u -d "@$end" +%FT%TZ) ($file, $days days): nothing to do"
    exit 0
  fi
  if [ -e "$STUCK" ]; then
    failed "a restart did not renew the K3s certificates before ($(cat "$STUCK")); not restarting again until $STUCK is removed"
  fi
  log "the K3s certificates end $(date -u -d "@$end" +%FT%TZ) ($file, $days days): restarting container $CONTAINER to renew them"
  if ! error=$(docker restart --time 60 "$CONTAINER" 2>&1 >/dev/null); then
    # The same container, as it was: started again if the failed restart left it stopped.
    docker start "$CONTAINER" >/dev/null 2>&1 || true
    failed "docker restart $CONTAINER failed (${error:-no message}); the container is kept as it was, its certificates end $(date -u -d "@$end" +%FT%TZ)"
  fi
  if ! wait_ready; then
    failed "Rancher did not answer /ping within $READY_SECONDS s of the restart; the container is kept as it is (docker logs $CONTAINER)"
  fi
  found=$(earliest_end) || failed "the K3s certificates under $K3S_DIR are gone after the restart"
  read -r renewed file <<<"$found"
  report "$renewed"
  if [ "$renewed" -le "$end" ]; then
    mkdir -p "${STUCK%/*}"
    date -u +%FT%TZ >"$STUCK"
    failed "the restart renewed nothing: $file still ends $(date -u -d "@$renewed" +%FT%TZ) (K3s renews at start only within its own window); not restarting again until $STUCK is removed"
  fi
  put_metric K3sCertificateRenewalFailed 0 || true
  log "renewed: the K3s certificates now end $(date -u -d "@$renewed" +%FT%TZ)"
}

main "$@"
