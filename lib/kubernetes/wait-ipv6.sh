#!/bin/bash
# Waits until this server has a usable global IPv6 address: an ExecStartPre of
# rke2-server.service or k3s.service in a dual-stack deployment (written only
# then). With both families in cluster-cidr and no node-ip set, RKE2 and K3s
# take the node's addresses from the host when they start, the IPv6 one only
# if it is there by then; a server started a moment too early would join the
# dual-stack cluster as an IPv4-only node. EC2 assigns the address at launch
# and the network stack configures it from DHCPv6 and router advertisements,
# usually within seconds of boot.
#
# Exit 0 once `ip` shows a global IPv6 address that is past duplicate address
# detection (a tentative one cannot be bound yet); exit 1, logged, after
# IPV6_WAIT_SECONDS (120): the service then fails to start, and whoever
# started it retries (the bootstrap, systemd's Restart=).
set -euo pipefail

# shellcheck source=/dev/null
. /usr/local/lib/rancher-aws/boot-lib.sh

IPV6_WAIT_SECONDS=${IPV6_WAIT_SECONDS:-120}
POLL_SECONDS=2

has_ipv6() {
  ip -6 -o addr show scope global -tentative 2>/dev/null | grep -q ' inet6 '
}

main() {
  local waited=0
  until has_ipv6; do
    if [ "$waited" -ge "$IPV6_WAIT_SECONDS" ]; then
      log "no global IPv6 address after ${waited} s (ip -6 addr show scope global); the subnet needs an IPv6 block and the instance an IPv6 address (rkeHa.dualStack)"
      return 1
    fi
    sleep "$POLL_SECONDS"
    waited=$((waited + POLL_SECONDS))
  done
  [ "$waited" -eq 0 ] || log "a global IPv6 address appeared after ${waited} s"
}

main "$@"
