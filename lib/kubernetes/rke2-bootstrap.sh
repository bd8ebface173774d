#!/bin/bash
# Bootstrap of an RKE2 server node, run by rancher-aws-bootstrap.service (which
# cloud-init starts at first boot) until it succeeds once: a run that failed
# for a transient reason (no egress yet, SSM errors, no peer yet) is run again,
# so every step is idempotent. Exit 78 means no rerun can help (logged); the
# unit then stops. Logs: journalctl -u rancher-aws-bootstrap.
#
# Reads /etc/rancher/bootstrap.env (written by cloud-init):
#   NODE_ROLE, NODE_IP, PEER_IPS, PREVIOUS_SERVER_IPS, PEER_WAIT_SECONDS,
#   AWS_REGION, PARAMETER_PREFIX   the node's place in the cluster (boot-lib.sh)
#   RKE2_VERSION      exact RKE2 release to install
#   RKE2_INSTALL_URL, RKE2_INSTALL_SHA256    the installer script and its recorded sum
#   RKE2_ARTIFACT_URL, RKE2_ARTIFACT_SHA256  the release tarball and its recorded sum
#   RKE2_RELEASE_SUMS_URL                    the release's own sums file (none behind a mirror)
#   RKE2_INSTALL_METHOD  rpm on the RHEL family with egress (signed packages instead of the tarball)
#   RKE2_RPM_CHANNELS the RPM channels tried in turn for the version (latest stable, or testing for a release
#                     candidate): a release is in latest before it is promoted to stable
#   SELINUX_POLICY_FROM_IMAGE  true on the RHEL family behind closed egress: the tarball, with rke2-selinux
#                     from the image (no repository is reachable)
#   HTTP_PROXY, HTTPS_PROXY, NO_PROXY  when a proxy is configured (exported, so
#                     curl and the installer use it)
#
# What it decides, in order:
# - the cluster was never initialized and this is the init node: start a new
#   cluster with the Terraform-generated CAs (unless a peer already answers);
# - a peer answers: join through it, after the previous server is a voting
#   etcd member (one join at a time);
# - the cluster exists but no server answers (a lone server replaced, or every
#   server gone): install RKE2, do not start it, and say how to restore the
#   cluster from an etcd snapshot on this node (rancher-aws-restore); exit 78.
#   It never starts a second cluster.
# - rke2-server already runs (a rerun after the start succeeded): done.
#
# Secrets come from SSM Parameter Store through the shared helpers in
# /usr/local/lib/rancher-aws/boot-lib.sh (fetch_to, cluster_state, ...).
set -euo pipefail
umask 077

set -a
# shellcheck source=/dev/null
. /etc/rancher/bootstrap.env
set +a
# shellcheck source=/dev/null
. /usr/local/lib/rancher-aws/boot-lib.sh

CONFIG_DIR=/etc/rancher/rke2
TLS_DIR=/var/lib/rancher/rke2/server/tls
RUN_DIR=/run/rancher-aws
BOOTSTRAPPED=/var/lib/rancher/rancher-aws/bootstrapped
# No rerun can help: rancher-aws-bootstrap.service stops retrying (RestartPreventExitStatus).
GIVE_UP=78
SUPERVISOR_PORT=9345
# An init node looking for a server that already answers (a cluster whose
# marker was never written): three probes, 10 s apart.
INIT_PROBE_SECONDS=20

join_through() {
  local peer=$1
  # The cluster CA verifies the peers' supervisors while waiting for our turn.
  fetch_to server-ca-cert "$RUN_DIR/server-ca.crt"
  wait_turn "$SUPERVISOR_PORT" "$RUN_DIR/server-ca.crt" "$(token_password "$CONFIG_DIR/token")"
  log "joining the cluster through $peer"
  # A rerun replaces the line an earlier run wrote.
  sed -i '/^server: /d' "$CONFIG_DIR/config.yaml"
  printf 'server: https://%s:%s\n' "$peer" "$SUPERVISOR_PORT" >>"$CONFIG_DIR/config.yaml"
}

# The cluster exists but no server answers: nothing to join, and starting a
# new cluster would split it. Leave an installed, stopped RKE2 and the way out.
stranded() {
  log "the cluster exists (cluster-initialized is set) but no server answered on ${PEER_IPS:-(no other servers)}."
  log "RKE2 is installed and NOT started: this node will not start a second cluster."
  log "Only if the other servers are really gone (not unreachable: a restore beside them starts a second cluster),"
  log "restore the cluster here from the newest etcd snapshot in S3 (docs/day-2.md, \"Shrinking, losing servers, restoring\"):"
  log "  /usr/local/sbin/rancher-aws-restore          (--list to see the snapshots, --snapshot NAME for another)"
  exit "$GIVE_UP"
}

# install_rke2: the installer and the release tarball, each checked against its recorded sum before anything
# runs (fetch_verified), and that sum against the release's own sums file (check_release_sums). The installer then installs from that folder (INSTALL_RKE2_ARTIFACT_PATH: it downloads
# nothing, and checks the tarball again against a sums file holding the recorded sum, not one from the same origin).
# The RHEL family's RPM method installs packages dnf checks against Rancher's signing key, from the first channel
# of RKE2_RPM_CHANNELS that carries the version: the host preparation checked that key and gives dnf only it
# (rhel-host-prepare.sh trust_rancher_rpm_key). Behind closed egress the RHEL family takes the tarball too, and its
# SELinux policy must already be on the image (selinux_policy_from_image).
install_rke2() {
  local dir file=${RKE2_ARTIFACT_URL##*/} channel
  [ "${SELINUX_POLICY_FROM_IMAGE:-}" != true ] || selinux_policy_from_image rke2-selinux
  dir=$(mktemp -d)
  fetch_verified "$RKE2_INSTALL_URL" "$RKE2_INSTALL_SHA256" "$dir/install.sh" "$RKE2_VERSION"
  if [ "${RKE2_INSTALL_METHOD:-}" = rpm ]; then
    for channel in ${RKE2_RPM_CHANNELS:-stable}; do
      log "installing the RKE2 $RKE2_VERSION RPMs from the $channel channel"
      if env INSTALL_RKE2_VERSION="$RKE2_VERSION" INSTALL_RKE2_TYPE=server INSTALL_RKE2_METHOD=rpm INSTALL_RKE2_CHANNEL="$channel" sh "$dir/install.sh"; then
        rm -rf "$dir"
        return 0
      fi
    done
    rm -rf "$dir"
    log "no RPM channel of ${RKE2_RPM_CHANNELS:-stable} installed RKE2 $RKE2_VERSION; the next run tries again"
    return 1
  fi
  check_release_sums "${RKE2_RELEASE_SUMS_URL:-}" "$file" "$RKE2_ARTIFACT_SHA256" "$RKE2_VERSION"
  fetch_verified "$RKE2_ARTIFACT_URL" "$RKE2_ARTIFACT_SHA256" "$dir/$file" "$RKE2_VERSION"
  # rke2.linux-<arch>.tar.gz: the installer reads sha256sum-<arch>.txt.
  printf '%s  %s\n' "$RKE2_ARTIFACT_SHA256" "$file" >"$dir/sha256sum-${file:11:-7}.txt"
  env INSTALL_RKE2_VERSION="$RKE2_VERSION" INSTALL_RKE2_TYPE=server INSTALL_RKE2_ARTIFACT_PATH="$dir" sh "$dir/install.sh"
  rm -rf "$dir"
  if [ "${SELINUX_POLICY_FROM_IMAGE:-}" = true ]; then
    # The tarball's files take their folder's label; rke2-selinux's file contexts give the binary and the units
    # theirs (container_runtime_exec_t, container_unit_file_t), as the RPMs would have had them.
    restorecon -R /usr/local/bin/rke2 /usr/local/lib/systemd/system
  fi
}

finished() {
  install -D -m 0600 /dev/null "$BOOTSTRAPPED"
}

main() {
  if systemctl is-active --quiet rke2-server.service; then
    log "rke2-server already runs: nothing to do"
    finished
    return 0
  fi
  fetch_to token "$CONFIG_DIR/token"
  cluster_state
  # Installing does not start RKE2; it runs while the other servers boot.
  install_rke2

  local peer
  if [ "$NODE_ROLE" = init ]; then
    if peer=$(find_peer "$SUPERVISOR_PORT" "$INIT_PROBE_SECONDS"); then
      join_through "$peer"
    else
      log "no live peer and no cluster yet: starting a new cluster with the Terraform-generated CAs"
      place_cluster_cas "$TLS_DIR"
    fi
  elif peer=$(find_peer "$SUPERVISOR_PORT" "$PEER_WAIT_SECONDS"); then
    join_through "$peer"
  elif [ "$CLUSTER_INITIALIZED" = true ]; then
    stranded
  else
    log "no server answered on $PEER_IPS and the cluster was never initialized: is the first server (server-0) running?"
    exit 1
  fi

  systemctl enable rke2-server.service
  # Returns once this server is a voting etcd member with a ready API server (the unit is Type=notify).
  retry 5 30 systemctl start rke2-server.service
  finished
  log "rke2-server started on $NODE_IP"
}

main "$@"
