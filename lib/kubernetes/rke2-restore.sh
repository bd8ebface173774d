#!/bin/bash
# rancher-aws-restore [--list] [--snapshot NAME] [--yes] [--force] [--forget-only]:
# restores the cluster on this server from an etcd snapshot in the deployment's
# bucket. Run it (as root, through SSM Session Manager) on the server the
# bootstrap left stopped because the cluster exists and no server answered
# (journalctl -u rancher-aws-bootstrap), and only when the other servers are
# really gone: a restore beside a live cluster starts a second one.
#   --list           prints the snapshots (oldest first) and changes nothing
#   --snapshot NAME  restores NAME instead of the newest
#   --yes            no typed confirmation (it is asked for on a terminal; without
#                    one, --yes is required)
#   --force          also over this server's own etcd data (a server that ran)
#   --forget-only    only the last steps, again: remove the gone servers' Node
#                    objects and node-password secrets, and record the restore
#                    (after a restore whose API came up too late for them)
# Then: `rke2 server --cluster-reset` from the snapshot (RKE2 downloads it with
# the S3 settings of config.yaml and the node role), start rke2-server, wait
# until its API answers, and remove the Node objects and node-password secrets
# the snapshot still holds for the servers that are gone, so that their
# replacements (same names) can join; then record when the reset began
# (ConfigMap kube-system/rancher-aws-restore), so that a restart Lease the
# snapshot held with a server marked out is not a deadlock. Refuses while rke2-server runs, starts or
# restarts here, while any other server answers (probed three times, 10 s
# apart), and over local etcd data unless --force.
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
# When the last cluster reset here began (RFC 3339): the restore record's time (record_restore).
RESET_AT=/var/lib/rancher/rancher-aws/restored-at
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
# oldest first (ListObjectsV2, signed by curl with the node role's credentials;
# every page: a folder holds a snapshot and its metadata object per snapshot, more
# than the 1,000 keys of one page with a long retention).
s3_snapshots() {
  local listing token="" rows="" page
  ssm_credentials || return 1
  while :; do
    listing=$(printf '%s\n' "$CREDENTIALS_CONFIG" | curl -sf --config - --connect-timeout 10 --max-time 60 --aws-sigv4 "aws:amz:$REGION:s3" \
      "https://$BUCKET.s3.$REGION.amazonaws.com/?list-type=2&prefix=$FOLDER/${token:+&continuation-token=$token}") || {
      CREDENTIALS_CONFIG=""
      return 1
    }
    # The page's rows, then a last line: next:<the next page's token, URL-encoded>, empty after the last page.
    page=$(python3 -c 'import sys, urllib.parse, xml.etree.ElementTree as ET
ns = {"s3": "http://s3.amazonaws.com/doc/2006-03-01/"}
root = ET.fromstring(sys.stdin.read())
for c in root.findall("s3:Contents", ns):
    key = c.findtext("s3:Key", "", ns)
    if "/.metadata/" not in key and not key.endswith("/"):
        print(c.findtext("s3:LastModified", "", ns), key.rsplit("/", 1)[-1])
more = root.findtext("s3:IsTruncated", "false", ns) == "true"
print("next:" + (urllib.parse.quote(root.findtext("s3:NextContinuationToken", "", ns), safe="") if more else ""))' <<<"$listing") || return 1
    token=$(tail -n 1 <<<"$page")
    token=${token#next:}
    rows+=$(sed '$d' <<<"$page")$'\n'
    [ -n "$token" ] || break
  done
  sort <<<"$rows" | sed '/^$/d'
}

# quiet_service: rke2-server neither runs nor is (re)starting here.
quiet_service() {
  local state
  state=$(systemctl show -p ActiveState --value rke2-server.service)
  case $state in
    inactive | failed) return 0 ;;
    *) log "rke2-server is $state on this server: the cluster is restored only on a server the bootstrap left stopped"; return 1 ;;
  esac
}

# confirm NAME: the person types the snapshot's name, or --yes said so.
confirm() {
  $YES && return 0
  [ -t 0 ] || die "no terminal to confirm on: rerun with --yes to restore from $1"
  local answer
  printf 'This resets the cluster to the snapshot %s. The other servers must be gone. Type its name to go on: ' "$1" >&2
  read -r answer
  [ "$answer" = "$1" ] || die "not confirmed: nothing was changed"
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

# record_restore: the restore record (cluster-lib.sh write_restore_record), dated when the cluster reset here began.
record_restore() {
  if [ ! -f "$RESET_AT" ]; then
    log "no cluster reset recorded on this server ($RESET_AT): the restore is not recorded"
    return 0
  fi
  write_restore_record "$(<"$RESET_AT")"
}

main() {
  local list=false wanted="" snapshots name peer force=false forget_only=false
  YES=false
  while [ $# -gt 0 ]; do
    case $1 in
      --list) list=true; shift ;;
      --snapshot) wanted=${2:?--snapshot needs a name}; shift 2 ;;
      --yes) YES=true; shift ;;
      --force) force=true; shift ;;
      --forget-only) forget_only=true; shift ;;
      *) die "usage: rancher-aws-restore [--list] [--snapshot NAME] [--yes] [--force] [--forget-only]" ;;
    esac
  done
  if $forget_only; then
    api_ready || die "the API of this server does not answer: --forget-only runs once the restored cluster is up"
    forget_gone_servers || die "removing the gone servers' Node objects failed: run it again"
    record_restore || die "recording the restore (ConfigMap kube-system/rancher-aws-restore) failed: run it again"
    install -D -m 0600 /dev/null "$BOOTSTRAPPED"
    log "the gone servers are forgotten: replace them one at a time"
    return 0
  fi
  BUCKET=$(setting etcd-s3-bucket)
  FOLDER=$(setting etcd-s3-folder)
  REGION=$(setting etcd-s3-region)
  [ -n "$BUCKET" ] || die "no etcd-s3-bucket in $CONFIG"
  snapshots=$(retry 3 10 s3_snapshots) || die "cannot list s3://$BUCKET/$FOLDER/ (network, or the node role's access): nothing was changed"
  if $list; then
    printf '%s\n' "$snapshots"
    return 0
  fi
  quiet_service || exit 1
  if ! $force && { [ -e "$BOOTSTRAPPED" ] || [ -d "$DATA_DIR/server/db/etcd" ]; }; then
    die "this server has run (its etcd data in $DATA_DIR/server/db/etcd, or the bootstrap's marker): a restore would replace that data with a snapshot up to a schedule old. If that is what you want (its etcd is lost), rerun with --force"
  fi
  # Three probes 10 s apart: a peer that is only slow (restarting, a network blip) must not be taken for gone.
  if peer=$(retry 3 10 live_peer 9345 2>/dev/null); then
    die "the server at $peer answers: the cluster exists; rerun the bootstrap (systemctl restart rancher-aws-bootstrap) to join it"
  fi
  [ -n "$snapshots" ] || die "no snapshot in s3://$BUCKET/$FOLDER/: nothing to restore from"
  name=${wanted:-$(tail -n 1 <<<"$snapshots" | cut -d ' ' -f 2)}
  cut -d ' ' -f 2 <<<"$snapshots" | grep -qxF -- "$name" || die "no snapshot $name in s3://$BUCKET/$FOLDER/ (--list shows them)"

  confirm "$name"
  log "restoring the cluster from s3://$BUCKET/$FOLDER/$name"
  install -D -m 0600 /dev/null "$RESET_AT"
  date -u +%Y-%m-%dT%H:%M:%SZ >"$RESET_AT"
  rke2 server --cluster-reset --cluster-reset-restore-path="$name" ||
    die "the cluster reset from $name failed (the download or the restore, see above): rke2-server was not started"
  systemctl enable rke2-server.service
  systemctl start --no-block rke2-server.service
  wait_for "$READY_SECONDS" api_ready ||
    die "rke2-server did not answer within $READY_SECONDS s after the restore: see journalctl -u rke2-server; once it answers, rancher-aws-restore --forget-only finishes"
  forget_gone_servers || die "the cluster is restored, but removing the gone servers' Node objects failed: rancher-aws-restore --forget-only tries again"
  record_restore || die "the cluster is restored, but recording it (ConfigMap kube-system/rancher-aws-restore) failed: rancher-aws-restore --forget-only tries again"
  install -D -m 0600 /dev/null "$BOOTSTRAPPED"
  log "restored from $name: replace the other servers one at a time (docs/day-2.md, \"Rolling a server\"); they join this one"
}

main "$@"
