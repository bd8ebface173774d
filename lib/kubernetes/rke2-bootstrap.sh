#!/bin/bash
# First-boot bootstrap of an RKE2 server node, run once by cloud-init.
#
# Reads /etc/rancher/bootstrap.env (written by cloud-init):
#   NODE_ROLE         init: may start a new cluster; join: only ever joins one
#   NODE_IP           this node's fixed private address
#   PEER_IPS          space-separated fixed addresses of the other servers
#   AWS_REGION        region of the SSM parameters
#   PARAMETER_PREFIX  SSM path holding the token and the CA material
#   RKE2_VERSION      exact RKE2 release to install
#   RKE2_INSTALL_URL  installer script URL
#   HTTP_PROXY, HTTPS_PROXY, NO_PROXY  when a proxy is configured (exported, so
#                     curl and the installer use it)
#
# Secrets come from SSM Parameter Store through the shared helpers (retry,
# ssm_get, fetch_to) that cloud-init writes to /usr/local/lib/rancher-aws.
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

main() {
  fetch_to token "$CONFIG_DIR/token"

  guard_init
  local peer
  peer=$(find_peer 9345)

  if [ -n "$peer" ]; then
    log "joining the cluster through $peer"
    printf 'server: https://%s:9345\n' "$peer" >>"$CONFIG_DIR/config.yaml"
  else
    log "no live peer: starting a new cluster with the Terraform-generated CAs"
    fetch_to server-ca-cert "$TLS_DIR/server-ca.crt"
    fetch_to server-ca-key "$TLS_DIR/server-ca.key"
    fetch_to client-ca-cert "$TLS_DIR/client-ca.crt"
    fetch_to client-ca-key "$TLS_DIR/client-ca.key"
  fi

  run_installer "$RKE2_INSTALL_URL" INSTALL_RKE2_VERSION="$RKE2_VERSION" INSTALL_RKE2_TYPE=server

  systemctl enable rke2-server.service
  retry 5 30 systemctl start rke2-server.service
  log "rke2-server started on $NODE_IP"
}

main "$@"
