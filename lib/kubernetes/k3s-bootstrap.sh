#!/bin/bash
# First-boot bootstrap of a K3s server node (external datastore), run once by
# cloud-init.
#
# Reads /etc/rancher/bootstrap.env (written by cloud-init):
#   NODE_ROLE         init: may start first; join: waits for a live peer first
#   NODE_IP           this node's fixed private address
#   PEER_IPS          space-separated fixed addresses of the other servers
#   AWS_REGION        region of the SSM parameters
#   PARAMETER_PREFIX  SSM path holding the token, the datastore endpoint and the CA material
#   K3S_VERSION       exact K3s release to install
#   K3S_INSTALL_URL   installer script URL
#   HTTP_PROXY, HTTPS_PROXY, NO_PROXY  when a proxy is configured (exported)
#
# Every server talks to the same external datastore; the first one to start
# writes the cluster's bootstrap data (CAs included) there, so only the init
# node places the Terraform-generated CAs, and the others wait until it answers.
set -euo pipefail
umask 077

set -a
# shellcheck source=/dev/null
. /etc/rancher/bootstrap.env
set +a
# shellcheck source=/dev/null
. /usr/local/lib/rancher-aws/boot-lib.sh

CONFIG_DIR=/etc/rancher/k3s
TLS_DIR=/var/lib/rancher/k3s/server/tls

main() {
  fetch_to token "$CONFIG_DIR/token"
  # The endpoint holds the database password: a root-only drop-in, never user data.
  fetch_to datastore-endpoint "$CONFIG_DIR/config.yaml.d/datastore.yaml" 'datastore-endpoint: '

  guard_init
  local peer
  peer=$(find_peer 6443)
  if [ -n "$peer" ]; then
    log "a server already answers on $peer: joining through the datastore"
  else
    log "no live peer: placing the Terraform-generated CAs before the first start"
    fetch_to server-ca-cert "$TLS_DIR/server-ca.crt"
    fetch_to server-ca-key "$TLS_DIR/server-ca.key"
    fetch_to client-ca-cert "$TLS_DIR/client-ca.crt"
    fetch_to client-ca-key "$TLS_DIR/client-ca.key"
  fi

  run_installer "$K3S_INSTALL_URL" INSTALL_K3S_VERSION="$K3S_VERSION" INSTALL_K3S_EXEC=server INSTALL_K3S_SKIP_START=true
  systemctl enable k3s.service
  retry 5 30 systemctl start k3s.service
  log "k3s started on $NODE_IP"
}

main "$@"
