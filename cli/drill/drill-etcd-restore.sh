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
#   - every admission webhook configuration the snapshot brought back is
#     deleted first: each points at a Service whose pods are bound to
#     production's Nodes, so none can be called, and rancher-webhook's Secret
#     mutator (failurePolicy Fail, called on every DELETE) would refuse every
#     deletion below; rancher-webhook writes its own back when it starts;
#   - every Backup object of the rancher-backup operator and the backup
#     writer's key (cattle-resources-system/rancher-aws-backup-s3-*) are deleted:
#     restored, they would write to production's backup bucket and prune it with
#     a key that still works there;
#   - every credential of production's that Rancher holds is deleted: each
#     Secret of type provisioning.cattle.io/cloud-credential, wherever it is,
#     every Secret of cattle-global-data (cloud credentials, hosted
#     clusters' credential Secrets, downstream clusters' service account
#     tokens) and the node drivers' Secrets of fleet-default
#     (*machine-driver-secret, harvesterconfig*, machine states): Rancher's
#     node-driver, hosted-cluster and cluster controllers act on production's
#     cloud and clusters with them;
# and only then are production's Nodes forgotten, which lets their pods start
# here. Until then no pod of production's runs: none is bound to this server,
# whose name (its private address) no Node of production's carries (the drill
# checks the addresses first), and none can be scheduled here either: this
# server's Node registers with a NoSchedule taint (RKE2's node-taint, from a
# config.yaml.d file written before the restored cluster's first start), taken
# off only once production's Nodes are gone. Without it, production's Nodes,
# NotReady here, would have their pods evicted once the 300 s those pods
# tolerate have passed (the DefaultTolerationSeconds admission plugin, the node
# lifecycle controller's taint-based eviction), and the scheduler would put the
# replacements on the one Node that takes them, this one, credentials or not.
# Prints `drill-result` lines the drill reads:
#   drill-result nodes N              Node objects of production's in the snapshot
#   drill-result count KIND N         objects of KIND restored
#   drill-result server-url URL       Rancher's server-url setting
#   drill-result cacerts BASE64       Rancher's cacerts setting (the CA it serves; empty for a public CA)
# Any failure once the restored cluster has started stops it again. A rerun (after a failure or a kill at any
# step) starts over from the snapshot and ends as one uninterrupted run does: the cluster is stopped and reset
# again, so the counts are the snapshot's and production's backup writer is taken out again before any Node goes.
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
WEBHOOK_CONFIGS=validatingwebhookconfigurations.admissionregistration.k8s.io,mutatingwebhookconfigurations.admissionregistration.k8s.io
CLOUD_CREDENTIAL=provisioning.cattle.io/cloud-credential
# The node drivers' Secrets of fleet-default (rancher-backup's sensitive resource set names them): the driver's
# copy of a cloud credential, a Harvester kubeconfig, a machine's driver state.
NODE_DRIVER_NAMES='^fleet-default/(.*machine-driver-secret|harvesterconfig.*)$'
MACHINE_STATE=rke.cattle.io/machine-state
NAMESPACED_NAMES='jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{"\n"}{end}'
# Attempts of the reset whose snapshot download failed (a pause of 15 s, 30 s, ... between them).
RESET_ATTEMPTS=${RESET_ATTEMPTS:-3}
# Names the parameter whose token is in the token file: a rerun after the drill deleted the parameter uses it.
TOKEN_PLACED=/var/lib/rancher/rancher-aws/drill-restore-token
# This server's Node registers with it (a kubelet applies node-taint only when it creates its Node, which is new in
# production's snapshot); `node-taint+` appends to what config.yaml names (RKE2's config.yaml.d merging).
DRILL_TAINT=rancher-ha-aws/drill-restore=disarming:NoSchedule
TAINT_CONFIG=/etc/rancher/rke2/config.yaml.d/90-rancher-aws-drill-restore.yaml

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

# webhooks_left: prints the admission webhook configurations still in the cluster (a line when they cannot be listed).
webhooks_left() {
  kube get "$WEBHOOK_CONFIGS" -o name || echo "(the webhook configurations could not be listed)"
}

# unadmit: production's admission webhook configurations out of the restored cluster, checked.
unadmit() {
  local config
  for config in $(kube get "$WEBHOOK_CONFIGS" -o name); do
    kube delete "$config" --wait=false >/dev/null
  done
  [ -z "$(webhooks_left)" ]
}

# credentials_left: prints NAMESPACE/NAME of production's credential Secrets still in the cluster (cloud credentials
# wherever they are, everything in cattle-global-data, the node drivers' Secrets of fleet-default); a line when they
# cannot be listed.
credentials_left() {
  local typed global driven state
  typed=$(kube get secrets --all-namespaces --field-selector="type=$CLOUD_CREDENTIAL" -o "$NAMESPACED_NAMES") ||
    typed="(the cloud credentials could not be listed)"
  global=$(kube -n cattle-global-data get secrets -o "$NAMESPACED_NAMES") ||
    global="(the Secrets of cattle-global-data could not be listed)"
  if driven=$(kube -n fleet-default get secrets -o "$NAMESPACED_NAMES"); then
    driven=$(grep -E "$NODE_DRIVER_NAMES" <<<"$driven" || true)
  else
    driven="(the Secrets of fleet-default could not be listed)"
  fi
  state=$(kube -n fleet-default get secrets --field-selector="type=$MACHINE_STATE" -o "$NAMESPACED_NAMES") ||
    state="(the machine states of fleet-default could not be listed)"
  printf '%s\n%s\n%s\n%s\n' "$typed" "$global" "$driven" "$state" | grep . | sort -u || true
}

# disarm: production's backup writer and credentials out of the restored cluster, checked.
disarm() {
  local secret
  if kube get crd backups.resources.cattle.io >/dev/null 2>&1; then
    kube delete backups.resources.cattle.io --all --wait=false >/dev/null
  fi
  for secret in $(kube -n cattle-resources-system get secrets -o name | grep -E "$WRITER_SECRETS" || true); do
    kube -n cattle-resources-system delete "$secret" >/dev/null
  done
  for secret in $(credentials_left | grep -v '^(' || true); do
    kube -n "${secret%%/*}" delete secret "${secret#*/}" --wait=false >/dev/null
  done
  [ -z "$(writer_left)" ] && [ -z "$(credentials_left)" ]
}

# place_token: production's token from the parameter into the token file (root only, 0600), SSM errors retried.
# When the parameter is gone (the drill deletes it once its command ended), a token a run placed from it before
# is kept; otherwise nothing can be restored. The marker is written after the move: a kill between the two leaves a
# rerun that refuses rather than one that restores with the throwaway's own token.
place_token() {
  local status attempt
  for ((attempt = 1; attempt <= 5; attempt++)); do
    status=0
    ssm_lookup "$TOKEN_PARAMETER" "$TOKEN_FILE.new" || status=$?
    [ "$status" = 1 ] || break
    [ "$attempt" = 5 ] || sleep 10
  done
  case $status in
    0)
      chmod 0600 "$TOKEN_FILE.new"
      mv -f "$TOKEN_FILE.new" "$TOKEN_FILE"
      mkdir -p "${TOKEN_PLACED%/*}"
      echo "$TOKEN_PARAMETER" >"$TOKEN_PLACED"
      ;;
    3)
      rm -f "$TOKEN_FILE.new"
      [ "$(cat "$TOKEN_PLACED" 2>/dev/null)" = "$TOKEN_PARAMETER" ] ||
        die "the parameter $TOKEN_PARAMETER does not exist (the drill deletes it once its restore ended): run the drill again; nothing was restored"
      log "the parameter $TOKEN_PARAMETER is gone; the token a run placed from it before is in $TOKEN_FILE"
      ;;
    *)
      rm -f "$TOKEN_FILE.new"
      die "cannot read the parameter $TOKEN_PARAMETER (5 attempts): nothing was restored"
      ;;
  esac
}

# reset: RKE2 downloads the snapshot from this deployment's bucket (the etcd-s3-* settings of config.yaml), restores
# it and exits. K3s downloads before it moves the old etcd data aside, so a failed download (no "S3 download
# complete" in its output) changed nothing and is tried again, RESET_ATTEMPTS times; a failure after the download
# (the token, the snapshot itself) is not. The etcd folder is created when missing: a reset killed between K3s's
# move of it and its restore leaves none, and the next reset's move would fail.
reset() {
  local attempt out
  mkdir -p "$DATA_DIR/server/db/etcd"
  for ((attempt = 1; ; attempt++)); do
    out=$(mktemp)
    if rke2 server --cluster-reset --cluster-reset-restore-path="$SNAPSHOT" >"$out" 2>&1; then
      cat "$out" >>"$LOG"
      rm -f "$out"
      return 0
    fi
    cat "$out" >>"$LOG"
    if grep -q 'S3 download complete' "$out"; then
      tail -n 20 "$out" >&2
      rm -f "$out"
      die "the cluster reset from $SNAPSHOT failed after its download (the token or the snapshot; above): rke2-server was not started"
    fi
    if [ "$attempt" -ge "$RESET_ATTEMPTS" ]; then
      tail -n 20 "$out" >&2
      rm -f "$out"
      die "the download of $SNAPSHOT from this deployment's snapshot bucket failed $attempt times (above): rke2-server was not started; a rerun starts over"
    fi
    rm -f "$out"
    log "the download of $SNAPSHOT failed (attempt $attempt of $RESET_ATTEMPTS; RKE2's output in $LOG): trying again in $((attempt * 15)) s"
    sleep $((attempt * 15))
  done
}

# untaint: this server's Node takes pods from now on: its drill taint off (the Node registers soon after the start,
# so it is waited for), the config file gone so no later registration carries it.
untaint() {
  local key=${DRILL_TAINT%%=*}
  wait_for 300 kube get node "$NODE_NAME" || return 1
  if kube get node "$NODE_NAME" -o 'jsonpath={.spec.taints[*].key}' | tr ' ' '\n' | grep -qxF "$key"; then
    kube taint node "$NODE_NAME" "$key-" >/dev/null || return 1
  fi
  rm -f "$TAINT_CONFIG"
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
  place_token
  mkdir -p "${TAINT_CONFIG%/*}"
  printf 'node-taint+:\n  - "%s"\n' "$DRILL_TAINT" >"$TAINT_CONFIG"
  log "restoring the cluster from $SNAPSHOT (this deployment's snapshot bucket), RKE2's output in $LOG"
  reset
  trap halt EXIT
  systemctl start --no-block rke2-server.service
  wait_for "$READY_SECONDS" api_ready || die "the restored API did not answer within $READY_SECONDS s: stopped again"
  unadmit || die "production's admission webhooks are still in the restored cluster ($(webhooks_left | tr '\n' ' ')): stopped again"
  disarm ||
    die "production's backup writer or credentials are still in the restored cluster ($({ writer_left; credentials_left; } | tr '\n' ' ')): stopped again"
  trap - EXIT
  log "production's admission webhooks, backup writer and credentials are out of the restored cluster"

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
  untaint || die "could not take the drill's taint ${DRILL_TAINT%%=*} off $NODE_NAME: Rancher's pods cannot start here; a rerun starts over"
  log "restored from $SNAPSHOT"
}

main "$@"
