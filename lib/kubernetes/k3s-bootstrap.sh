#!/bin/bash
# Bootstrap of a K3s server node (external datastore), run by
# rancher-aws-bootstrap.service (started by cloud-init at first boot) until it
# succeeds once: a run that failed for a transient reason is run again, so
# every step is idempotent. Logs: journalctl -u rancher-aws-bootstrap.
#
# Reads /etc/rancher/bootstrap.env (written by cloud-init):
#   NODE_ROLE, NODE_IP, PEER_IPS, PEER_WAIT_SECONDS,
#   AWS_REGION, PARAMETER_PREFIX   the node's place in the cluster (boot-lib.sh)
#   K3S_VERSION       exact K3s release to install
#   K3S_INSTALL_URL, K3S_INSTALL_SHA256    the installer script and its recorded sum
#   K3S_ARTIFACT_URL, K3S_ARTIFACT_SHA256  the release's binary and its recorded sum
#   K3S_RELEASE_SUMS_URL                   the release's own sums file (none behind a mirror)
#   HTTP_PROXY, HTTPS_PROXY, NO_PROXY  when a proxy is configured (exported)
#   SELINUX_POLICY_FROM_IMAGE  true on the RHEL family behind closed egress: k3s-selinux from the image
#                     (no repository is reachable), the installer's RPM step skipped
#
# Every server talks to the same external datastore, which holds the
# cluster's bootstrap data (CAs included) once the first server started:
# - the cluster was initialized before: start at once; no peer is needed (the
#   token opens the bootstrap data in the datastore);
# - never initialized, init node: place the Terraform-generated CAs and start
#   (unless a server already answers);
# - never initialized, other nodes: wait until a server answers, so two
#   servers never initialize an empty datastore at the same time.
# The datastore endpoint is read again from SSM at every start of K3s
# (rancher-aws-datastore-endpoint), so a moved endpoint reaches the servers.
set -euo pipefail
umask 077

set -a
# shellcheck source=/dev/null
. /etc/rancher/bootstrap.env
set +a
# shellcheck source=/dev/null
. /usr/local/lib/rancher-aws/boot-lib.sh

TLS_DIR=/var/lib/rancher/k3s/server/tls
BOOTSTRAPPED=/var/lib/rancher/rancher-aws/bootstrapped
API_PORT=6443
INIT_PROBE_SECONDS=20

# install_k3s: the installer and the binary, each checked against its recorded sum before anything runs
# (fetch_verified), and that sum against the release's own sums file (check_release_sums); the binary is placed where the installer looks, and the installer runs without downloading it
# (INSTALL_K3S_SKIP_DOWNLOAD=binary: it still writes the unit and, on the RHEL family, installs k3s-selinux with dnf).
# Behind closed egress the image must carry k3s-selinux: the installer's RPM step is skipped, and with it the label
# it gives the binary, which is given here instead.
install_k3s() {
  local dir skip=()
  if [ "${SELINUX_POLICY_FROM_IMAGE:-}" = true ]; then
    selinux_policy_from_image k3s-selinux
    skip=(INSTALL_K3S_SKIP_SELINUX_RPM=true)
  fi
  dir=$(mktemp -d)
  fetch_verified "$K3S_INSTALL_URL" "$K3S_INSTALL_SHA256" "$dir/install.sh" "$K3S_VERSION"
  check_release_sums "${K3S_RELEASE_SUMS_URL:-}" "${K3S_ARTIFACT_URL##*/}" "$K3S_ARTIFACT_SHA256" "$K3S_VERSION"
  fetch_verified "$K3S_ARTIFACT_URL" "$K3S_ARTIFACT_SHA256" "$dir/k3s" "$K3S_VERSION"
  install -D -m 0755 "$dir/k3s" /usr/local/bin/k3s
  env INSTALL_K3S_VERSION="$K3S_VERSION" INSTALL_K3S_EXEC=server INSTALL_K3S_SKIP_START=true INSTALL_K3S_SKIP_DOWNLOAD=binary "${skip[@]}" sh "$dir/install.sh"
  rm -rf "$dir"
  [ "${SELINUX_POLICY_FROM_IMAGE:-}" != true ] || chcon -u system_u -r object_r -t container_runtime_exec_t /usr/local/bin/k3s
}

main() {
  if systemctl is-active --quiet k3s.service; then
    log "k3s already runs: nothing to do"
    install -D -m 0600 /dev/null "$BOOTSTRAPPED"
    return 0
  fi
  fetch_to token /etc/rancher/k3s/token
  # The endpoint holds the database password: a root-only drop-in, never user data.
  /usr/local/sbin/rancher-aws-datastore-endpoint
  cluster_state
  install_k3s

  local peer
  if [ "$CLUSTER_INITIALIZED" = true ]; then
    log "the datastore holds the cluster: starting without waiting for a peer"
  elif [ "$NODE_ROLE" = init ]; then
    if peer=$(find_peer "$API_PORT" "$INIT_PROBE_SECONDS"); then
      log "a server already answers on $peer: joining through the datastore"
    else
      log "no live peer and no cluster yet: placing the Terraform-generated CAs before the first start"
      place_cluster_cas "$TLS_DIR"
    fi
  elif peer=$(find_peer "$API_PORT" "$PEER_WAIT_SECONDS"); then
    log "a server answers on $peer: joining through the datastore"
  else
    log "no server answered on $PEER_IPS and the cluster was never initialized: is the first server (server-0) running?"
    exit 1
  fi

  systemctl enable k3s.service
  retry 5 30 systemctl start k3s.service
  install -D -m 0600 /dev/null "$BOOTSTRAPPED"
  log "k3s started on $NODE_IP"
}

main "$@"
