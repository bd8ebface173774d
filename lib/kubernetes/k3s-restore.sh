#!/bin/bash
# rancher-aws-restore --record-only [--yes]: on a K3s server, once the cluster runs on a restored datastore (an RDS
# snapshot or point in time), records the restore (cluster-lib.sh write_restore_record), as rke2-restore.sh does after
# a cluster reset. K3s servers keep no cluster state, so there is nothing to reset or forget here: RDS restores the
# data. What the datastore put back is the restart Lease as it was then, possibly held by a roll or a timer whose work
# ended with that moment and marking a server out; recorded, the next roll or rotation takes it and every server's
# renewal timer gives it back, as after an RKE2 restore. Run it once, on any server, before anything else writes the
# Lease (a roll, a rotation): a Lease written since the restore is a live holder's, and recording it would make it look
# restored.
#   --yes   no typed confirmation (it is asked for on a terminal; without one, --yes is required)
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

main() {
  local record_only=false
  YES=false
  while [ $# -gt 0 ]; do
    case $1 in
      --record-only) record_only=true; shift ;;
      --yes) YES=true; shift ;;
      *) die "usage: rancher-aws-restore --record-only [--yes] (K3s: RDS restores the datastore; this records it)" ;;
    esac
  done
  $record_only || die "usage: rancher-aws-restore --record-only [--yes] (K3s: RDS restores the datastore; this records it)"
  kube get --raw /readyz >/dev/null || die "the API of this server does not answer: record the restore once the cluster runs on the restored datastore"
  confirm
  write_restore_record "$(date -u +%Y-%m-%dT%H:%M:%SZ)" || die "recording the restore (ConfigMap kube-system/rancher-aws-restore) failed: run it again"
  log "the restore is recorded: the renewal timers give back the restart Lease it put back (every 6 h), or the next roll or rotation takes it"
}

main "$@"
