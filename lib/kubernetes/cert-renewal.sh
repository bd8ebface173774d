#!/bin/bash
# rancher-aws-cert-renewal DIST (rke2 or k3s): renews this server's leaf
# certificates before they expire, by restarting its service, one server of
# the cluster at a time. Run by rancher-aws-cert-renewal.timer on every server.
#
# RKE2 and K3s issue their leaf certificates (API serving and client, etcd,
# kubelet) for a year and renew them only when the service starts within
# their renewal window (design notes, "Lifetimes on the servers"). Nothing
# else restarts these servers, so without this a cluster left alone for a
# year loses its API and etcd TLS.
#
# Each run: nothing to do unless a certificate expires within RENEW_WITHIN_DAYS;
# then, only when every server is Ready and (RKE2) every etcd member voting and
# healthy, and no server is cordoned (an in-place upgrade, a roll or a drain is
# under way) nor the server upgrade Plan applying anywhere, take the
# cluster-wide Lease kube-system/rancher-aws-server-restart, check again,
# restart the service, wait (bounded) until this server is back, Ready and etcd
# healthy, and release the Lease. A degraded cluster, an upgrade under way, or a
# Lease held by another server, means: try again at the next run. A restart that does
# not come back is logged loudly, keeps the Lease (marked out) and sets the
# deployment's metric RestartHeld, whose alarm notifies the alarm topic; every
# run also reports what the cluster shows there (report_hold).
set -euo pipefail
umask 077

set -a
# shellcheck source=/dev/null
. /etc/rancher/bootstrap.env
set +a
# shellcheck source=/dev/null
. /usr/local/lib/rancher-aws/boot-lib.sh

# Inside RKE2's and K3s' renewal window (120 days in 1.35; 90 before), with
# months of daily retries before the certificates expire.
RENEW_WITHIN_DAYS=${RENEW_WITHIN_DAYS:-80}
RESTART_WAIT_SECONDS=${RESTART_WAIT_SECONDS:-900}
# Longer than a restart may take, so a Lease left by a dead run frees itself.
LEASE_SECONDS=1800
LEASE=rancher-aws-server-restart
NODE_NAME=${NODE_NAME:-$(hostname)}
# Left by a restart that renewed nothing: no further restarts of this server until a person looks (and removes it).
STUCK=/var/lib/rancher/rancher-aws/cert-renewal-stuck
# Present while this server holds the restart Lease (marked out): a run that ends without giving it back (its
# restart did not come back in time, or it was killed) leaves it, and the next run resumes from it.
HELD_OUT=/var/lib/rancher/rancher-aws/cert-renewal-held-out
# Present while this server's Node is cordoned by a run of this script (cordon_self), until it is uncordoned.
CORDONED=/var/lib/rancher/rancher-aws/cert-renewal-cordoned

server_paths "${1:?usage: rancher-aws-cert-renewal k3s|rke2}"
# The client certificates peer_access signs for this run. Their folder is under the unit's RuntimeDirectory (systemd
# makes it in /run, memory, 0700, and removes it when the unit stops, however the run ended: kill -9 too); the EXIT
# trap removes it at the run's end, INT and TERM end the run through it. Run by hand: under TMPDIR, the trap only.
PEER_DIR=""
trap 'exit 130' INT
trap 'exit 143' TERM

# The leaf certificates renewal_due checks (and report_days_left reports).
leaf_certificates() {
  printf '%s\n' "$TLS_DIR/serving-kube-apiserver.crt" "$TLS_DIR/client-admin.crt" \
    "$TLS_DIR/etcd/server-client.crt" "$TLS_DIR/etcd/peer-server-client.crt" "$DATA_DIR/agent/serving-kubelet.crt"
}

# certificate_end CERT: the certificate's end, in seconds since the epoch.
certificate_end() {
  local end
  end=$(openssl x509 -enddate -noout -in "$1") || return 1
  date -d "${end#notAfter=}" +%s
}

# report_days_left: the deployment's metric CertificateDaysLeft, this server's own series (put_server_metric), whole
# days to the earliest end of its leaf certificates (negative once one has ended), at every run: renewals refused for
# weeks (a cluster never whole, an upgrade that never ends) raise <name>-server-N-certificate-days-left long before any
# leaf ends, and so does a server that stops reporting (a timer stopped, the server down) within 14 hours.
report_days_left() {
  local cert end earliest=""
  [ -n "${RESTART_METRIC_NAMESPACE:-}" ] || return 0
  while read -r cert; do
    if [ ! -f "$cert" ] || ! end=$(certificate_end "$cert"); then continue; fi
    if [ -z "$earliest" ] || [ "$end" -lt "$earliest" ]; then earliest=$end; fi
  done < <(leaf_certificates)
  [ -n "$earliest" ] || return 0
  put_server_metric CertificateDaysLeft $(((earliest - $(date +%s)) / 86400)) || true
}

# renewal_due: true when a leaf certificate of this server expires within the window.
renewal_due() {
  local cert checked=0
  while read -r cert; do
    [ -f "$cert" ] || continue
    checked=$((checked + 1))
    if ! openssl x509 -checkend $((RENEW_WITHIN_DAYS * 86400)) -noout -in "$cert" >/dev/null; then
      log "$cert expires within $RENEW_WITHIN_DAYS days"
      return 0
    fi
  done < <(leaf_certificates)
  [ "$checked" -gt 0 ] || log "no certificate of $DIST found under $DATA_DIR"
  return 1
}

# rotate_expired: a server whose instance was stopped past a certificate's end. RKE2 and K3s renew an expired leaf
# when their service starts (design notes, "Stopped servers past a certificate's end"), so nothing is left to do;
# if the start did not (the case of rancher/rke2#8318), the certificate the other members know this server by
# (RKE2: its etcd peer certificate; K3s: its API serving certificate) is past its end while the service runs. A
# service that started after that end was refused by every member at its handshake: it is out already, its restart
# takes nothing from the cluster, and no Lease can be written with it (its API refuses). Done here, without the
# Lease: the service stopped, `certificate rotate` (local files only, the CAs kept), started again, and a bounded
# wait for a certificate that is valid. A service that started BEFORE the end is another case: (RKE2) TLS checks
# validity at the handshake only, so its established peer streams go on and its member is still a voter; (K3s, its
# datastore external: no member, no vote) it still serves. Stopping it without the Lease could take a second server
# down, so it is left to the Lease-guarded restart of this same run (main), which renews it at the start, through a
# peer's API (peer_access).
rotate_expired() {
  local cert=$TLS_DIR/etcd/peer-server-client.crt ended since started
  [ "$DIST" = rke2 ] || cert=$TLS_DIR/serving-kube-apiserver.crt
  if [ ! -f "$cert" ] || openssl x509 -checkend 0 -noout -in "$cert" >/dev/null; then
    return 0
  fi
  since=$(systemctl show -p ActiveEnterTimestamp --value "$SERVICE")
  if systemctl is-active --quiet "$SERVICE" && [ -n "$since" ] && started=$(date -d "$since" +%s 2>/dev/null) &&
    ended=$(certificate_end "$cert") && [ "$started" -lt "$ended" ]; then
    log "$cert ended while $SERVICE ran (started before its end): a restart under the Lease renews it"
    peer_access || log "CRITICAL: no peer's API answers"
    return 0
  fi
  if [ -e "$STUCK" ]; then
    log "CRITICAL: $cert has ended and a rotation did not renew it before ($(cat "$STUCK")); not again until $STUCK is removed (see journalctl -u $SERVICE)"
    exit 1
  fi
  log "$cert has ended and $SERVICE did not renew it at its start: rotating this server's certificates (the CAs are kept)"
  systemctl stop "$SERVICE"
  "$DIST" certificate rotate
  systemctl start "$SERVICE"
  if ! wait_for "$RESTART_WAIT_SECONDS" renewed_and_active "$cert"; then
    log "CRITICAL: $SERVICE on $NODE_NAME has no valid $cert within $RESTART_WAIT_SECONDS s after a certificate rotation; see journalctl -u $SERVICE"
    install -D -m 0600 /dev/null "$STUCK"
    date -u +%Y-%m-%dT%H:%M:%SZ >"$STUCK"
    exit 1
  fi
  log "$SERVICE on $NODE_NAME rotated its certificates and runs"
}

# peer_access: a certificate ended while the service ran (rotate_expired), and with it, in one batch, its API serving,
# admin, etcd and kubelet client ones: its own API refuses its admin. So the run talks to a peer's API at its fixed
# address (PEER_IPS), verified with the server CA, as a client it signs with the client CA key every server holds:
# O system:masters (the group client-admin.crt has, k3s-io/k3s pkg/daemons/control/deps/deps.go genClientCerts),
# CN rancher-aws-cert-renewal:NODE (its own user in audit logs), client authentication; no CA extensions (no config file: not the distribution's v3_ca
# defaults). openssl 3.0 (Ubuntu 24.04, RHEL 9) signs for no less than a day and from now only, so it waits 2 s for a
# peer's clock a little behind; the key never outlives the run (PEER_DIR). RKE2: etcd is read at that
# peer's supervisor with an etcd client signed the same way (etcd/server-ca, as genETCDCerts signs etcd/client.crt).
# The guards then pass over this server's own Node (its kubelet cannot report: NotReady) and etcd member (its serving
# certificate ended), and over nothing else: restarting it takes nothing from the others, which must all be Ready,
# healthy voters. PEER_AUTH, ETCD_*, SKIP_*: read by kube, servers_ready and etcd_healthy (cluster-lib.sh).
# shellcheck disable=SC2034
peer_access() {
  local p
  PEER_DIR=$(mktemp -d -p "${RUNTIME_DIRECTORY:-${TMPDIR:-/tmp}}") || return 1
  trap 'rm -rf "$PEER_DIR"' EXIT
  mint() {
    openssl req -x509 -config /dev/null -CA "$TLS_DIR/$3.crt" -CAkey "$TLS_DIR/$3.key" -newkey ec -pkeyopt group:P-256 -noenc \
      -keyout "$PEER_DIR/$1.key" -subj "$2" -days 1 -addext extendedKeyUsage=clientAuth -out "$PEER_DIR/$1.crt" 2>/dev/null
  }
  mint a "/O=system:masters/CN=rancher-aws-cert-renewal:$NODE_NAME" client-ca || return 1
  [ "$DIST" = k3s ] || mint e /CN=etcd-client etcd/server-ca || return 1
  sleep 2
  for p in $PEER_IPS; do
    PEER_AUTH=(--kubeconfig /dev/null --server "https://$p:6443" --certificate-authority "$TLS_DIR/server-ca.crt" --client-certificate "$PEER_DIR/a.crt" --client-key "$PEER_DIR/a.key")
    if kube get --raw /readyz >/dev/null 2>&1; then
      ETCD_SUPERVISOR=$p ETCD_CLIENT=$PEER_DIR/e SKIP_NODE=$NODE_NAME SKIP_URL=https://$NODE_IP:2379
      return 0
    fi
  done
  PEER_AUTH=()
  return 1
}

# renewed_and_active CERT: CERT is valid now and the service runs.
renewed_and_active() {
  openssl x509 -checkend 0 -noout -in "$1" && systemctl is-active --quiet "$SERVICE"
}

# The server upgrade Plan (lib/kubernetes/upgrade-plan.ts: SERVER_PLAN_NAME in SYSTEM_UPGRADE_NAMESPACE).
UPGRADE_PLAN="server-plan"
UPGRADE_NAMESPACE=system-upgrade

# no_upgrade_running: true when no server is cordoned, the upgrade controller
# applies the server Plan nowhere, and every server runs the Plan's version (no
# Plan, or no Plan CRD: nothing to apply). The version is the prepare step's
# check too (readiness-gates.sh others_ready): system-upgrade-controller v0.20.1
# clears status.applying when a Job ends, and rke2-upgrade ends its Job by killing
# the service, so a server whose old pods still serve (Ready, etcd healthy) runs
# the old kubelet until its service is back; a Plan some server has not reached is
# an upgrade running. An API error counts as running: the restart waits for the next run.
no_upgrade_running() {
  local nodes plan applying version behind
  nodes=$(kube get nodes -l node-role.kubernetes.io/control-plane=true \
    -o 'jsonpath={range .items[*]}{.metadata.name}={.spec.unschedulable}={.status.nodeInfo.kubeletVersion}{"\n"}{end}') || return 1
  # This server's own Node, cordoned by this run (cordon_self), does not count.
  if grep '^[^=]*=true=' <<<"$nodes" | grep -qv "^$NODE_NAME="; then
    log "servers cordoned (an upgrade, a roll or a drain is under way): $(grep '^[^=]*=true=' <<<"$nodes" | cut -d= -f1 | tr '\n' ' ')"
    return 1
  fi
  if ! plan=$(kube get plans.upgrade.cattle.io -n "$UPGRADE_NAMESPACE" "$UPGRADE_PLAN" -o 'jsonpath={.status.applying}|{.status.latestVersion}' 2>&1); then
    case $plan in
      *NotFound* | *"doesn't have a resource type"*) return 0 ;;
    esac
    log "could not read the upgrade Plan: $plan"
    return 1
  fi
  IFS='|' read -r applying version <<<"$plan"
  if [ -n "$applying" ]; then
    log "the upgrade Plan $UPGRADE_NAMESPACE/$UPGRADE_PLAN is applying on $applying"
    return 1
  fi
  # The controller writes the version with + read as - (a label value); the kubelet reports it with +.
  behind=$(awk -F= -v want="$version" 'want != "" && $1 != "" { v = $3; gsub(/\+/, "-", v); if (v != want) print $1 "(" $3 ")" }' <<<"$nodes")
  if [ -n "$behind" ]; then
    log "the upgrade Plan $UPGRADE_NAMESPACE/$UPGRADE_PLAN is at $version and not every server runs it yet: $(tr '\n' ' ' <<<"$behind")"
    return 1
  fi
}

# restart_allowed: the cluster is whole (the deployment's expected count of
# servers, all Ready, all voting etcd members) and nothing else restarts servers now.
restart_allowed() {
  local expected
  expected=$(expected_servers) || return 1
  cluster_healthy "$expected" && no_upgrade_running
}

# publish_held VALUE: the deployment's metric RestartHeld (1: a restart is held, every other restart waits; 0: none
# is), whose alarm notifies the alarm topic (design notes, "A restart that hangs"); a failure changes nothing else:
# the Lease stays as it is, and the next run publishes again.
publish_held() {
  put_metric RestartHeld "$1" || true
}

# report_hold: what every run tells the alarm, from what the cluster shows: 1 while a Lease marks a server out
# and nobody renewed it within its duration (a restart that did not come back, or a roll stopped with a server
# out), or while the server upgrade Plan's last Job failed (its next server waits); 0 when neither; nothing
# while a restart is under way (a Lease marking a server out, renewed within its duration) or when the API does
# not answer. A run that reads the Lease free sends its 0 within seconds of that read, and a taker whose restart
# hangs sends its 1 only RESTART_WAIT_SECONDS after its take: a late 0 never follows a 1.
report_hold() {
  local reason
  [ -n "${RESTART_METRIC_NAMESPACE:-}" ] || return 0
  if read_lease; then
    if [ -n "$HOLDER" ] && [ -n "$OUT" ]; then
      if [ "$(lease_verdict "$HOLDER" "$RENEWED" "$DURATION" "" "" "$(date +%s)")" = stale ]; then
        log "CRITICAL: $HOLDER holds the restart Lease with $OUT out, not renewed since $RENEWED: no server restarts until it is given back (docs/day-2.md, \"When an operation stopped halfway\")"
        publish_held 1
      fi
      return 0
    fi
  else
    # No Lease at all is nothing held; an API that does not answer tells nothing.
    case $(kube get lease -n kube-system "$LEASE" -o name 2>&1) in
      *NotFound*) ;;
      *) return 0 ;;
    esac
  fi
  reason=$(kube get plans.upgrade.cattle.io -n "$UPGRADE_NAMESPACE" "$UPGRADE_PLAN" -o 'jsonpath={.status.conditions[?(@.type=="Complete")].reason}' 2>&1) ||
    case $reason in
      *NotFound* | *"doesn't have a resource type"*) reason="" ;;
      *) return 0 ;;
    esac
  if [ "$reason" = JobFailed ]; then
    log "CRITICAL: a Job of the upgrade Plan $UPGRADE_NAMESPACE/$UPGRADE_PLAN failed; the upgrade waits (kubectl -n $UPGRADE_NAMESPACE describe plan $UPGRADE_PLAN)"
    publish_held 1
  else
    publish_held 0
  fi
}

# lease_manifest VERSION HOLDER DURATION [OUT]: the restart Lease, renewed now.
# With VERSION (the resourceVersion read) the API server applies it only if
# the Lease has not changed since (a Conflict otherwise): every write but the
# first create is conditional. OUT names the server that is out (its address).
lease_manifest() {
  local now version="" annotations=""
  now=$(date -u +%Y-%m-%dT%H:%M:%S.000000Z)
  [ -z "$1" ] || version="  resourceVersion: \"$1\""$'\n'
  [ -z "${4:-}" ] || annotations="  annotations:"$'\n'"    rancher-ha-aws/out: \"$4\""$'\n'
  printf 'apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata:\n  name: %s\n  namespace: kube-system\n%s%sspec:\n  holderIdentity: "%s"\n  leaseDurationSeconds: %s\n  acquireTime: %s\n  renewTime: %s\n' \
    "$LEASE" "$version" "$annotations" "$2" "$3" "$now" "$now"
}

# read_lease [KUBE ARGS...]: sets HOLDER RENEWED DURATION VERSION OUT from the
# Lease (through this server's API, or the one named); fails when there is none
# or it cannot be read.
read_lease() {
  local lease
  lease=$(kube "$@" get lease -n kube-system "$LEASE" \
    -o 'jsonpath={.spec.holderIdentity}|{.spec.renewTime}|{.spec.leaseDurationSeconds}|{.metadata.resourceVersion}|{.metadata.annotations.rancher-ha-aws/out}' 2>/dev/null) || return 1
  IFS='|' read -r HOLDER RENEWED DURATION VERSION OUT <<<"$lease"
}

# take_lease: creates the Lease, or takes one that is free (released) or
# stale (its holder stopped renewing it, and no server is out) at the
# resourceVersion read, so that of two takers only one succeeds. A Lease that
# names a server out is never taken by age (lease_verdict). It names this
# server out from the moment it is taken: a clock that jumps past the Lease's
# duration between the take and the restart cannot hand it to another taker,
# and a run killed half-way (the marker file HELD_OUT) is resumed by the next.
take_lease() {
  if kube create -f - <<<"$(lease_manifest "" "$NODE_NAME" "$LEASE_SECONDS" "$NODE_IP")" >/dev/null 2>&1; then
    install -D -m 0600 /dev/null "$HELD_OUT"
    return 0
  fi
  read_lease || return 1
  case $(lease_verdict "$HOLDER" "$RENEWED" "$DURATION" "$OUT" "$NODE_NAME" "$(date +%s)") in
    free | mine) ;;
    stale)
      # The previous cert-renewal.sh wrote a server's Lease with no out marker; its run restarts without reading anything
      # after its last check, so its Lease is never taken by age here (that script deletes it when its run ends).
      if [[ $HOLDER != */* ]] && [ -z "$OUT" ]; then
        log "$HOLDER holds the restart Lease (the previous cert-renewal.sh): never taken by age; trying again at the next run"
        return 1
      fi
      log "taking over the restart Lease left by $HOLDER (not renewed since $RENEWED)"
      ;;
    held-out)
      log "$HOLDER holds the restart Lease with $OUT out of the cluster: never taken by age; trying again at the next run"
      return 1
      ;;
    *)
      log "$HOLDER holds the restart Lease: trying again at the next run"
      return 1
      ;;
  esac
  if ! kube replace -f - <<<"$(lease_manifest "$VERSION" "$NODE_NAME" "$LEASE_SECONDS" "$NODE_IP")" >/dev/null 2>&1; then
    # A write can commit and still report failure (the API server applied it, its answer timed out): read it back.
    # A Lease naming this server is held by this run; one that cannot be read leaves the marker, and the next run
    # (resume) reads it again and gives it back or forgets it.
    if ! read_lease; then
      install -D -m 0600 /dev/null "$HELD_OUT"
      log "the restart Lease write reported failure and the Lease cannot be read back: the next run looks again"
      return 1
    fi
    if [ "$HOLDER" != "$NODE_NAME" ]; then
      log "another took the restart Lease first: trying again at the next run"
      return 1
    fi
    log "the restart Lease write reported failure, but the Lease names $NODE_NAME: it committed, and this run holds it"
  fi
  install -D -m 0600 /dev/null "$HELD_OUT"
}

# release_lease: gives the Lease back if this server holds it, through this
# server's API or, when that is down, a peer's: no holder, a one-second
# duration (what client-go's leader election writes; a reader of the older
# rule sees it stale at once), at the version read.
release_lease() {
  local server
  for server in "" $PEER_IPS; do
    if read_lease ${server:+--server "https://$server:6443"} && [ "$HOLDER" = "$NODE_NAME" ] &&
      kube ${server:+--server "https://$server:6443"} replace -f - <<<"$(lease_manifest "$VERSION" "" 1)" >/dev/null 2>&1; then
      rm -f "$HELD_OUT"
      uncordon_self ${server:+--server "https://$server:6443"}
      return 0
    fi
  done
  log "could not release the restart Lease: it lapses on its own $LEASE_SECONDS s after its last renewal"
}

# cordon_self: this server's Node cordoned once this run holds the Lease, then the Lease read again (write first, read
# second): the previous cert-renewal.sh never restarts beside a cordoned server and takes a Lease by age, so whichever
# of the two writes second sees the other; the roll and the rotations stop on a server cordoned after their mark.
cordon_self() {
  install -D -m 0600 /dev/null "$CORDONED"
  kube cordon "$NODE_NAME" >/dev/null && read_lease && [ "$HOLDER" = "$NODE_NAME" ]
}

# uncordon_self [KUBE ARGS...]: the cordon of cordon_self (a run killed after it: the next run's) lifted.
uncordon_self() {
  [ ! -e "$CORDONED" ] || ! kube "$@" uncordon "$NODE_NAME" >/dev/null || rm -f "$CORDONED"
}

# back_up INVOCATION EXPECTED: this server's service was started again (a new
# invocation), its API answers, it is Ready and the cluster is whole.
back_up() {
  [ "$(systemctl show -p InvocationID --value "$SERVICE")" != "$1" ] &&
    systemctl is-active --quiet "$SERVICE" && kube get --raw /readyz >/dev/null && cluster_healthy "$2"
}

# resume: a run before this one left this server out (its restart did not come
# back in time). If the cluster is whole now, the Lease is given back;
# otherwise it stays held, and this run stops. Where no run here holds the Lease
# (no marker), at every run, alarms on or off: a Lease the cluster's restore put
# back from its snapshot (still at the resourceVersion the restore record
# names, ConfigMap kube-system/rancher-aws-restore restoredLeaseVersion: the
# Lease compared with itself, no clock) is given back, whatever its holder
# and whatever server it marks out: that holder's work ended with the cluster it
# ran in (a roll that died with it, a timer of a server since replaced), and
# nothing else of the protocol gives it back; conditionally at the version read,
# so a command that took it meanwhile (lease.ts acquire) keeps it. A Lease
# naming this server as its holder, not dated by a record (a restore by hand),
# is resumed as this server's own: this server runs this script, so the server
# it marks out is back.
resume() {
  local expected server read="" restored
  if [ ! -e "$HELD_OUT" ]; then
    read_lease && [ -n "$HOLDER" ] || return 0
    if restored=$(kube get configmap -n kube-system rancher-aws-restore -o 'jsonpath={.data.restoredLeaseVersion}' 2>/dev/null) &&
      [ -n "$restored" ] && [ "$restored" = "$VERSION" ]; then
      kube replace -f - <<<"$(lease_manifest "$VERSION" "" 1)" >/dev/null && log "gave back the restart Lease the restore put back ($HOLDER${OUT:+ with $OUT out})"
      return 0
    fi
    [ "$HOLDER" = "$NODE_NAME" ] || return 0
    log "the restart Lease names $NODE_NAME${OUT:+ with $OUT out} and no run here holds it (put back by a restore): resuming it"
    install -D -m 0600 /dev/null "$HELD_OUT"
  fi
  # Through a peer when this server's API is still down: only an answer says the Lease is no longer this server's.
  for server in "" $PEER_IPS; do
    if read_lease ${server:+--server "https://$server:6443"}; then
      read=yes
      break
    fi
    # No Lease at all (a person removed it) is an answer too.
    case $(kube ${server:+--server "https://$server:6443"} get lease -n kube-system "$LEASE" -o name 2>&1) in
      *NotFound*) HOLDER="" read=yes && break ;;
    esac
  done
  if [ -n "$read" ] && [ "$HOLDER" != "$NODE_NAME" ]; then
    # A person took it over (roll --take-over) or removed it.
    rm -f "$HELD_OUT"
    publish_held 0
    return 0
  fi
  if expected=$(expected_servers) && cluster_healthy "$expected"; then
    log "$NODE_NAME is back and the cluster is whole: giving the restart Lease back"
    release_lease
    return 0
  fi
  log "CRITICAL: $NODE_NAME still holds the restart Lease${OUT:+ with $OUT out} and the cluster is not whole; no server restarts until it is (docs/day-2.md, \"When an operation stopped halfway\")"
  # Again at every run: a send that failed before is made good.
  publish_held 1
  return 1
}

# publish_certificate_end: writes when this server's API serving certificate ends (RFC 3339) to its parameter
# PARAMETER_PREFIX/api-certificate-end/NODE_IP, which every plan reads (check api_serving_certificate). Only over
# the parameter Terraform made for this server: a server never creates one that a destroy would leave behind.
# No parameter, no report (the run logs nothing for it). Never fails the run; the next run sends it again.
publish_certificate_end() {
  local name=api-certificate-end/$NODE_IP end
  end=$(openssl x509 -enddate -noout -in "$TLS_DIR/serving-kube-apiserver.crt") &&
    end=$(date -u -d "${end#*=}" +%FT%TZ) && ssm_get "$name" >/dev/null || return 0
  aws_post ssm "$AWS_REGION" /dev/null "{\"Name\":\"$PARAMETER_PREFIX/$name\",\"Value\":\"$end\",\"Type\":\"String\",\"Overwrite\":true}" \
    -H 'X-Amz-Target: AmazonSSM.PutParameter' -H 'Content-Type: application/x-amz-json-1.1' --max-time 20 ||
    log "could not report the API certificate's end $end (HTTP $AWS_STATUS)"
}

main() {
  publish_certificate_end
  report_days_left
  rotate_expired
  resume || exit 1
  # A run killed after its cordon left it: lifted (a run whose restart did not come back keeps it until resume gives back).
  [ -e "$HELD_OUT" ] || uncordon_self
  report_hold
  renewal_due || exit 0
  if [ -e "$STUCK" ]; then
    log "CRITICAL: a restart did not renew the certificates of $NODE_NAME before ($(cat "$STUCK")); not restarting again until $STUCK is removed (see journalctl -u $SERVICE)"
    exit 1
  fi
  if ! restart_allowed; then
    log "the cluster is not whole or an upgrade is under way: not restarting $SERVICE now; trying again at the next run"
    exit 0
  fi
  take_lease || exit 0
  # Whatever ends this run from here on (an unexpected error too) gives the Lease back, but a restart that does
  # not come back (below).
  trap 'release_lease; uncordon_self; rm -rf "$PEER_DIR"' EXIT
  if ! cordon_self; then
    log "the restart Lease is no longer this server's (or its Node could not be cordoned): not restarting $SERVICE now; trying again at the next run"
    exit 0
  fi
  # Another server may have finished its restart, or an upgrade started, just before: check again, holding the Lease.
  if ! restart_allowed; then
    log "the cluster is not whole or an upgrade is under way: not restarting $SERVICE now; trying again at the next run"
    exit 0
  fi
  local invocation expected
  expected=$(expected_servers)
  invocation=$(systemctl show -p InvocationID --value "$SERVICE")
  log "restarting $SERVICE on $NODE_NAME to renew its certificates"
  systemctl restart --no-block "$SERVICE"
  # The start renews what ended: once back, its own API and Node are asked as any other server's, and its member
  # too (SKIP_URL cleared), read through the peer's supervisor with the signed etcd client while the run lasts.
  # shellcheck disable=SC2034
  PEER_AUTH=() SKIP_NODE="" SKIP_URL=""
  if ! wait_for "$RESTART_WAIT_SECONDS" back_up "$invocation" "$expected"; then
    # The Lease stays held, naming this server out (since the take): nothing else restarts a server, and nothing
    # takes it by age, until this server is back (the next run gives it back) or a person replaces it.
    trap 'rm -rf "$PEER_DIR"' EXIT
    log "CRITICAL: $SERVICE on $NODE_NAME is not back (Ready, etcd healthy) within $RESTART_WAIT_SECONDS s after a certificate renewal restart; see journalctl -u $SERVICE. It holds the restart Lease, marked out: no other server restarts, no roll or upgrade starts, until it is back (the next run gives the Lease back) or replaced (docs/day-2.md)."
    publish_held 1
    exit 1
  fi
  if renewal_due; then
    log "CRITICAL: $SERVICE restarted but a certificate still expires within $RENEW_WITHIN_DAYS days; no further restarts of this server until $STUCK is removed"
    install -D -m 0600 /dev/null "$STUCK"
    date -u +%Y-%m-%dT%H:%M:%SZ >"$STUCK"
    exit 1
  fi
  log "$SERVICE restarted on $NODE_NAME: certificates renewed"
}

main
