#!/bin/bash
# rancher-aws-restore [--list] [--snapshot NAME]: restores the cluster on this
# server from an etcd snapshot in the deployment's bucket. Run it (as root,
# through SSM Session Manager) on the server the bootstrap left stopped because
# the cluster exists and no server answered (journalctl -u rancher-aws-bootstrap).
#   --list           prints the snapshots (oldest first) and changes nothing
#   --snapshot NAME  restores NAME instead of the newest
# Then: `rke2 server --cluster-reset` from the snapshot (RKE2 downloads it with
# the S3 settings of config.yaml and the node role), start rke2-server, wait
# until its API answers, and remove the Node objects and node-password secrets
# the snapshot still holds for the servers that are gone, so that their
# replacements (same names) can join. Refuses while rke2-server runs here or
# any other server answers: the cluster then exists and is joined, not restored.
set -euo pipefail
umask 077

set -a
# shellcheck source=/dev/null
. /etc/rancher/bootstrap.env
set +a
# shellcheck source=/dev/null
. /usr/local/lib/rancher-aws/boot-lib.sh

server_paths rke2
CONFIG=/etc/rancher/rke2/config.yaml
BOOTSTRAPPED=/var/lib/rancher/rancher-aws/bootstrapped
READY_SECONDS=${READY_SECONDS:-900}
NODE_NAME=${NODE_NAME:-$(hostname)}

die() {
  log "$*"
  exit 1
}

# setting KEY: a top-level value of config.yaml (written by cloud-init from the settings).
setting() {
  sed -n "s/^$1: *//p" "$CONFIG" | tr -d "\"'"
}

# s3_snapshots: "LAST_MODIFIED NAME" of every snapshot in the bucket's folder,
# oldest first (ListObjectsV2, signed by curl with the node role's credentials).
s3_snapshots() {
  local listing
  ssm_credentials || return 1
  listing=$(printf '%s\n' "$CREDENTIALS_CONFIG" | curl -sf --config - --aws-sigv4 "aws:amz:$REGION:s3" \
    "https://$BUCKET.s3.$REGION.amazonaws.com/?list-type=2&prefix=$FOLDER/") || {
    CREDENTIALS_CONFIG=""
    return 1
  }
  python3 -c 'import sys, xml.etree.ElementTree as ET
ns = {"s3": "http://s3.amazonaws.com/doc/2006-03-01/"}
rows = []
for c in ET.fromstring(sys.stdin.read()).findall("s3:Contents", ns):
    key = c.findtext("s3:Key", "", ns)
    if "/.metadata/" not in key and not key.endswith("/"):
        rows.append((c.findtext("s3:LastModified", "", ns), key.rsplit("/", 1)[-1]))
for row in sorted(rows):
    print(*row)' <<<"$listing"
}

api_ready() {
  kube get --raw /readyz >/dev/null
}

# forget_gone_servers: the restored Node objects of the other servers, and
# every server's node-password secret (a replacement presents a new password
# under the same name; RKE2 recreates the secret from the first it sees).
forget_gone_servers() {
  local nodes node
  nodes=$(kube get nodes -o 'jsonpath={range .items[*]}{.metadata.name}{"\n"}{end}') || return 1
  for node in $nodes; do
    if [ "$node" != "$NODE_NAME" ]; then
      kube delete node "$node" --wait=false >/dev/null || return 1
      log "removed the Node object of $node (gone; its replacement joins under the same name)"
    fi
    kube delete secret -n kube-system "$node.node-password.rke2" --ignore-not-found >/dev/null || return 1
  done
}

main() {
  local list=false wanted="" snapshots name peer
  while [ $# -gt 0 ]; do
    case $1 in
      --list) list=true; shift ;;
      --snapshot) wanted=${2:?--snapshot needs a name}; shift 2 ;;
      *) die "usage: rancher-aws-restore [--list] [--snapshot NAME]" ;;
    esac
  done
  BUCKET=$(setting etcd-s3-bucket)
  FOLDER=$(setting etcd-s3-folder)
  REGION=$(setting etcd-s3-region)
  [ -n "$BUCKET" ] || die "no etcd-s3-bucket in $CONFIG"
  snapshots=$(retry 3 10 s3_snapshots) || die "cannot list s3://$BUCKET/$FOLDER/ (network, or the node role's access): nothing was changed"
  if $list; then
    printf '%s\n' "$snapshots"
    return 0
  fi
  if systemctl is-active --quiet rke2-server.service; then
    die "rke2-server runs on this server: the cluster is restored only on a server the bootstrap left stopped"
  fi
  if peer=$(live_peer 9345); then
    die "the server at $peer answers: the cluster exists; rerun the bootstrap (systemctl restart rancher-aws-bootstrap) to join it"
  fi
  [ -n "$snapshots" ] || die "no snapshot in s3://$BUCKET/$FOLDER/: nothing to restore from"
  name=${wanted:-$(tail -n 1 <<<"$snapshots" | cut -d ' ' -f 2)}
  cut -d ' ' -f 2 <<<"$snapshots" | grep -qxF -- "$name" || die "no snapshot $name in s3://$BUCKET/$FOLDER/ (--list shows them)"

  log "restoring the cluster from s3://$BUCKET/$FOLDER/$name"
  rke2 server --cluster-reset --cluster-reset-restore-path="$name" ||
    die "the cluster reset from $name failed (the download or the restore, see above): rke2-server was not started"
  systemctl enable rke2-server.service
  systemctl start --no-block rke2-server.service
  wait_for "$READY_SECONDS" api_ready ||
    die "rke2-server did not answer within $READY_SECONDS s after the restore: see journalctl -u rke2-server"
  forget_gone_servers || die "the cluster is restored, but removing the gone servers' Node objects failed: rerun rancher-aws-restore --list, then kubectl delete node <name> and the <name>.node-password.rke2 secrets by hand"
  install -D -m 0600 /dev/null "$BOOTSTRAPPED"
  log "restored from $name: replace the other servers one at a time (docs/day-2.md, \"Rolling a server\"); they join this one"
}

main "$@"
