#!/bin/bash
# rancher-aws-restore --record-only [--yes] [--force]: on a K3s server, once the cluster runs on a restored datastore (an RDS
# snapshot or point in time), records the restore (cluster-lib.sh write_restore_record), as rke2-restore.sh does after
# a cluster reset. K3s servers keep no cluster state, so there is nothing to reset or forget here: RDS restores the
# data. What the datastore put back is the restart Lease as it was then, possibly held by a roll or a timer whose work
# ended with that moment and marking a server out; recorded, the next roll or rotation takes it and every server's
# renewal timer gives it back, as after an RKE2 restore. Run it once, on any server, before anything else writes the
# Lease (a roll, a rotation): a Lease written since the restore is a live holder's, and recording it would make it look
# restored.
#   --yes   no typed confirmation (it is asked for on a terminal; without one, --yes is required)
#   --force record although an earlier record names another version of a Lease that is held now (a second restore)
set -euo pipefail
umask 077

set -a
# shellcheck source=/dev/null
. /etc/rancher/bootstrap.env
set +a
# shellcheck source=/dev/null
. /usr/local/lib/rancher-aws/boot-lib.sh

server_paths k3s

die() {
  log "$*"
  exit 1
}

confirm() {
  $YES && return 0
  [ -t 0 ] || die "no terminal to confirm on: rerun with --yes to record the restore"
  local answer
  printf 'This records that the datastore was restored: a restart Lease held now is taken as put back by the restore, and given back. Type "restored" to go on: ' >&2
  read -r answer
  [ "$answer" = restored ] || die "not confirmed: nothing was changed"
}

# recorded_before: an earlier record names a version of the restart Lease other than the one held now. Run a second
# time after a roll or a rotation took the Lease, recording would name that live operation's Lease as restored, and
# the renewal timers would give it back while it runs; a second restore (a new RDS restore) is the one reason to.
recorded_before() {
  local recorded holder version
  recorded=$(kube get configmap -n kube-system rancher-aws-restore -o 'jsonpath={.data.restoredLeaseVersion}' 2>/dev/null) || return 1
  holder=$(kube get lease -n kube-system rancher-aws-server-restart -o 'jsonpath={.spec.holderIdentity}' 2>/dev/null) || return 1
  version=$(kube get lease -n kube-system rancher-aws-server-restart -o 'jsonpath={.metadata.resourceVersion}' 2>/dev/null) || return 1
  [ -n "$recorded" ] && [ -n "$holder" ] && [ "$version" != "$recorded" ]
}

main() {
  local record_only=false force=false
  YES=false
  while [ $# -gt 0 ]; do
    case $1 in
      --record-only) record_only=true; shift ;;
      --yes) YES=true; shift ;;
      --force) force=true; shift ;;
      *) die "usage: rancher-aws-restore --record-only [--yes] [--force] (K3s: RDS restores the datastore; this records it)" ;;
    esac
  done
  $record_only || die "usage: rancher-aws-restore --record-only [--yes] [--force] (K3s: RDS restores the datastore; this records it)"
  kube get --raw /readyz >/dev/null || die "the API of this server does not answer: record the restore once the cluster runs on the restored datastore"
  if ! $force && recorded_before; then
    die "a restore is recorded already, and the restart Lease is held now at another version (a roll or rotation took it since): recording again would hand that live Lease to the renewal timers. Only after a new RDS restore: rerun with --force"
  fi
  confirm
  write_restore_record "$(date -u +%Y-%m-%dT%H:%M:%SZ)" || die "recording the restore (ConfigMap kube-system/rancher-aws-restore) failed: run it again"
  log "the restore is recorded: the renewal timers give back the restart Lease it put back (every 6 h), or the next roll or rotation takes it"
}

main "$@"
