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
# not come back is logged loudly and the run fails; the Lease is released
# through a peer if this API is down, and expires on its own otherwise.
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

server_paths "${1:?usage: rancher-aws-cert-renewal k3s|rke2}"

# renewal_due: true when a leaf certificate of this server expires within the window.
renewal_due() {
  local cert checked=0
  for cert in "$TLS_DIR/serving-kube-apiserver.crt" "$TLS_DIR/client-admin.crt" \
    "$TLS_DIR/etcd/server-client.crt" "$TLS_DIR/etcd/peer-server-client.crt" "$DATA_DIR/agent/serving-kubelet.crt"; do
    [ -f "$cert" ] || continue
    checked=$((checked + 1))
    if ! openssl x509 -checkend $((RENEW_WITHIN_DAYS * 86400)) -noout -in "$cert" >/dev/null; then
      log "$cert expires within $RENEW_WITHIN_DAYS days"
      return 0
    fi
  done
  [ "$checked" -gt 0 ] || log "no certificate of $DIST found under $DATA_DIR"
  return 1
}

# The server upgrade Plan (lib/kubernetes/upgrade-plan.ts: SERVER_PLAN_NAME in SYSTEM_UPGRADE_NAMESPACE).
UPGRADE_PLAN="server-plan"
UPGRADE_NAMESPACE=system-upgrade

# no_upgrade_running: true when no server is cordoned and the upgrade
# controller applies the server Plan nowhere (no Plan, or no Plan CRD: nothing
# to apply). An API error counts as running: the restart waits for the next run.
no_upgrade_running() {
  local cordoned applying
  cordoned=$(kube get nodes -l node-role.kubernetes.io/control-plane=true \
    -o 'jsonpath={range .items[*]}{.metadata.name}={.spec.unschedulable}{"\n"}{end}') || return 1
  if grep -q '=true$' <<<"$cordoned"; then
    log "servers cordoned (an upgrade, a roll or a drain is under way): $(grep '=true$' <<<"$cordoned" | cut -d= -f1 | tr '\n' ' ')"
    return 1
  fi
  if ! applying=$(kube get plans.upgrade.cattle.io -n "$UPGRADE_NAMESPACE" "$UPGRADE_PLAN" -o 'jsonpath={.status.applying}' 2>&1); then
    case $applying in
      *NotFound* | *"doesn't have a resource type"*) return 0 ;;
    esac
    log "could not read the upgrade Plan: $applying"
    return 1
  fi
  if [ -n "$applying" ]; then
    log "the upgrade Plan $UPGRADE_NAMESPACE/$UPGRADE_PLAN is applying on $applying"
    return 1
  fi
}

# restart_allowed: the cluster is whole and nothing else restarts servers now.
restart_allowed() {
  cluster_healthy && no_upgrade_running
}

# lease_manifest [RESOURCE_VERSION]: the Lease, held by this server from now on.
lease_manifest() {
  local now version=""
  now=$(date -u +%Y-%m-%dT%H:%M:%S.000000Z)
  [ -z "${1:-}" ] || version="  resourceVersion: \"$1\""$'\n'
  printf 'apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata:\n  name: %s\n  namespace: kube-system\n%sspec:\n  holderIdentity: %s\n  leaseDurationSeconds: %s\n  acquireTime: %s\n  renewTime: %s\n' \
    "$LEASE" "$version" "$NODE_NAME" "$LEASE_SECONDS" "$now" "$now"
}

# take_lease: creates the Lease, or takes over one that expired (or that a
# dead run of this server left) at the resourceVersion read, so that of two
# servers taking over at once only one succeeds.
take_lease() {
  local lease holder renewed duration version
  kube create -f - <<<"$(lease_manifest)" >/dev/null 2>&1 && return 0
  lease=$(kube get lease -n kube-system "$LEASE" \
    -o 'jsonpath={.spec.holderIdentity} {.spec.renewTime} {.spec.leaseDurationSeconds} {.metadata.resourceVersion}') || return 1
  read -r holder renewed duration version <<<"$lease"
  if [ "$holder" != "$NODE_NAME" ] && [ $(($(date -d "$renewed" +%s) + duration)) -gt "$(date +%s)" ]; then
    log "$holder holds the restart Lease: trying again at the next run"
    return 1
  fi
  log "taking over the restart Lease left by $holder"
  kube replace -f - <<<"$(lease_manifest "$version")" >/dev/null
}

# release_lease: deletes the Lease if this server holds it, through this
# server's API or, when that is down, a peer's.
release_lease() {
  local server
  for server in "" $PEER_IPS; do
    if [ "$(kube ${server:+--server "https://$server:6443"} get lease -n kube-system "$LEASE" -o 'jsonpath={.spec.holderIdentity}' 2>/dev/null)" = "$NODE_NAME" ] &&
      kube ${server:+--server "https://$server:6443"} delete lease -n kube-system "$LEASE" >/dev/null 2>&1; then
      return 0
    fi
  done
  log "could not release the restart Lease: it expires on its own within $LEASE_SECONDS s"
}

# back_up INVOCATION: this server's service was started again (a new
# invocation), its API answers, it is Ready and the cluster is whole.
back_up() {
  [ "$(systemctl show -p InvocationID --value "$SERVICE")" != "$1" ] &&
    systemctl is-active --quiet "$SERVICE" && kube get --raw /readyz >/dev/null && cluster_healthy
}

main() {
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
  # Whatever ends this run from here on (an unexpected error too) gives the Lease back.
  trap release_lease EXIT
  # Another server may have finished its restart, or an upgrade started, just before: check again, holding the Lease.
  if ! restart_allowed; then
    log "the cluster is not whole or an upgrade is under way: not restarting $SERVICE now; trying again at the next run"
    exit 0
  fi
  local invocation
  invocation=$(systemctl show -p InvocationID --value "$SERVICE")
  log "restarting $SERVICE on $NODE_NAME to renew its certificates"
  systemctl restart --no-block "$SERVICE"
  if ! wait_for "$RESTART_WAIT_SECONDS" back_up "$invocation"; then
    log "CRITICAL: $SERVICE on $NODE_NAME is not back (Ready, etcd healthy) within $RESTART_WAIT_SECONDS s after a certificate renewal restart; see journalctl -u $SERVICE. No other server restarts while the cluster is not whole."
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
