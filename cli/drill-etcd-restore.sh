#!/bin/bash
# rancher-aws-drill-restore SNAPSHOT TOKEN_PARAMETER: `npm run drill -- rke-ha
# --etcd` sends this through SSM to the first server of its throwaway deployment
# (never to production's: the drill takes the instance from the throwaway's
# state), once the throwaway's other servers are stopped. It resets this
# server's cluster to production's etcd snapshot SNAPSHOT, which the drill has
# copied into this deployment's own snapshot bucket and folder, with
# production's cluster token, which the drill has put in the parameter
# TOKEN_PARAMETER under this server's parameter path (RKE2 keeps the cluster's
# CAs and keys in etcd encrypted with the token's secret part: another token
# cannot read them). Then, before any workload of production can run:
#   - every Backup object of the rancher-backup operator and the backup
#     writer's key (cattle-resources-system/rancher-aws-backup-s3-*) are deleted:
#     restored, they would write to production's backup bucket and prune it with
#     a key that still works there;
# and only then are production's Nodes forgotten, which lets their pods start
# here. Until then no pod of production's runs: none is bound to this server,
# whose name (its private address) no Node of production's carries (the drill
# checks the addresses first). Prints `drill-result` lines the drill reads:
#   drill-result nodes N              Node objects of production's in the snapshot
#   drill-result count KIND N         objects of KIND restored
#   drill-result server-url URL       Rancher's server-url setting
#   drill-result cacerts BASE64       Rancher's cacerts setting (the CA it serves; empty for a public CA)
# Any failure once the restored cluster has started stops it again.
set -euo pipefail
umask 077

set -a
# shellcheck source=/dev/null
. /etc/rancher/bootstrap.env
set +a
# shellcheck source=/dev/null
. /usr/local/lib/rancher-aws/boot-lib.sh

server_paths rke2
PATH=$PATH:/usr/local/bin
SNAPSHOT=${1:?snapshot name}
TOKEN_PARAMETER=${2:?token parameter}
TOKEN_FILE=${TOKEN_FILE:-/etc/rancher/rke2/token}
LOG=${DRILL_LOG:-/var/log/rancher-aws-drill-restore.log}
READY_SECONDS=${READY_SECONDS:-900}
NODE_NAME=${NODE_NAME:-$(hostname)}
WRITER_SECRETS='^secret/rancher-aws-backup-s3-'

die() {
  log "$*"
  exit 1
}

# halt: the restored cluster stops (its containers too): it holds production's credentials.
halt() {
  systemctl stop rke2-server.service || true
  rke2-killall.sh >/dev/null 2>&1 || true
}

api_ready() {
  kube get --raw /readyz >/dev/null
}

# writer_left: prints the backup writer's key Secrets and Backup objects still in the cluster.
writer_left() {
  kube -n cattle-resources-system get secrets -o name | grep -E "$WRITER_SECRETS" || true
  if kube get crd backups.resources.cattle.io >/dev/null 2>&1; then
    kube get backups.resources.cattle.io -o name
  fi
}

# disarm: production's backup writer out of the restored cluster, checked.
disarm() {
  local secret
  if kube get crd backups.resources.cattle.io >/dev/null 2>&1; then
    kube delete backups.resources.cattle.io --all --wait=false >/dev/null
  fi
  for secret in $(kube -n cattle-resources-system get secrets -o name | grep -E "$WRITER_SECRETS" || true); do
    kube -n cattle-resources-system delete "$secret" >/dev/null
  done
  [ -z "$(writer_left)" ]
}

count() {
  kube get "$1" --all-namespaces -o name | grep -c . || true
}

main() {
  local peer node left
  # The other servers were stopped by the drill: one that still answers holds the throwaway's own cluster.
  if peer=$(retry 3 10 live_peer 9345 2>/dev/null); then
    die "the server at $peer answers: the drill stops the other servers before the restore; nothing was changed"
  fi
  systemctl stop rke2-server.service
  rke2-killall.sh >/dev/null 2>&1 || true
  ssm_lookup "$TOKEN_PARAMETER" "$TOKEN_FILE.new" || die "cannot read the parameter $TOKEN_PARAMETER: nothing was restored"
  mv -f "$TOKEN_FILE.new" "$TOKEN_FILE"
  log "restoring the cluster from $SNAPSHOT (this deployment's snapshot bucket), RKE2's output in $LOG"
  if ! rke2 server --cluster-reset --cluster-reset-restore-path="$SNAPSHOT" >>"$LOG" 2>&1; then
    tail -n 20 "$LOG" >&2 || true
    die "the cluster reset from $SNAPSHOT failed (the download, the token or the restore; above): rke2-server was not started"
  fi
  trap halt EXIT
  systemctl start --no-block rke2-server.service
  wait_for "$READY_SECONDS" api_ready || die "the restored API did not answer within $READY_SECONDS s: stopped again"
  disarm || die "production's backup writer is still in the restored cluster ($(writer_left | tr '\n' ' ')): stopped again"
  trap - EXIT
  log "production's backup writer is out of the restored cluster"

  echo "drill-result nodes $(kube get nodes -o name | grep -cvxF "node/$NODE_NAME" || true)"
  for kind in clusters.management.cattle.io users.management.cattle.io projects.management.cattle.io settings.management.cattle.io; do
    echo "drill-result count $kind $(count "$kind")"
  done
  echo "drill-result server-url $(kube get settings.management.cattle.io server-url -o 'jsonpath={.value}' || true)"
  echo "drill-result cacerts $(kube get settings.management.cattle.io cacerts -o 'jsonpath={.value}' | base64 -w0 || true)"

  # Production's servers are not here: their Nodes and node-password secrets go, and their pods start on this one.
  for node in $(kube get nodes -o name | sed 's|^node/||'); do
    [ "$node" = "$NODE_NAME" ] && continue
    kube delete node "$node" --wait=false >/dev/null
    kube -n kube-system delete secret "$node.node-password.rke2" --ignore-not-found >/dev/null
  done
  left=$(kube get nodes -o name | grep -cvxF "node/$NODE_NAME" || true)
  [ "$left" = 0 ] || die "$left of production's Nodes are still in the restored cluster"
  log "restored from $SNAPSHOT"
}

main "$@"
