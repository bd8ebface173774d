#!/bin/bash
# rancher-aws-prepare-host BOOTSTRAP...: readies a RHEL-family server (RHEL 9,
# Rocky Linux 9) for RKE2 or K3s, then runs the bootstrap in its place.
# rancher-aws-bootstrap.service runs it (a drop-in written only for these
# images, so the bootstrap's exit status stays the unit's), on every try until
# the bootstrap succeeded once; each step is idempotent.
#
# What the RKE2 and K3s docs ask of these images (docs/design-notes.md,
# "Operating systems"):
# - SELinux on: the servers run with `selinux: true` and the distribution's
#   SELinux policy, which the installer adds with dnf. An image with SELinux
#   disabled is refused (exit 78: no rerun can help).
# - firewalld off: its rules conflict with the CNI's; the security groups are
#   the firewall.
# - nm-cloud-setup off: it adds a routing table that breaks the CNI's routes,
#   and only a reboot clears it. Disabled once, then the server reboots; the
#   unit runs again after the reboot (its marker is not written yet).
# - NetworkManager leaves the CNI's interfaces alone: a reload reads the
#   unmanaged-devices file cloud-init wrote (RKE2's canal).
set -euo pipefail

# shellcheck source=/dev/null
. /usr/local/lib/rancher-aws/boot-lib.sh

GIVE_UP=78
REBOOTED=/var/lib/rancher/rancher-aws/rebooted-for-nm-cloud-setup

# is_enabled UNIT: true only for a unit enabled to start (not static, masked or missing).
is_enabled() {
  [ "$(systemctl is-enabled "$1" 2>/dev/null || true)" = enabled ]
}

require_selinux() {
  local mode
  mode=$(getenforce 2>/dev/null || echo Disabled)
  if [ "$mode" = Disabled ]; then
    log "SELinux is disabled on this image; RHEL-family servers run RKE2/K3s with selinux: true and its policy."
    log "Enable SELinux (enforcing) in the image, or choose rkeHa.operatingSystem ubuntu-24.04 for it."
    exit "$GIVE_UP"
  fi
  log "SELinux is $mode"
}

stop_firewalld() {
  if is_enabled firewalld.service || systemctl is-active --quiet firewalld.service; then
    log "disabling firewalld: its rules conflict with the CNI's (the security groups filter instead)"
    systemctl disable --now firewalld.service
  fi
}

# Returns 0 when the server must reboot before Kubernetes starts.
stop_nm_cloud_setup() {
  local unit units=()
  for unit in nm-cloud-setup.timer nm-cloud-setup.service; do
    if is_enabled "$unit"; then units+=("$unit"); fi
  done
  [ "${#units[@]}" -gt 0 ] || return 1
  log "disabling ${units[*]}: its routing table breaks the CNI's routes"
  systemctl disable --now "${units[@]}"
  if [ -e "$REBOOTED" ]; then
    log "the server rebooted for nm-cloud-setup once already; not again"
    return 1
  fi
}

main() {
  require_selinux
  stop_firewalld
  if systemctl is-active --quiet NetworkManager.service; then
    systemctl reload NetworkManager.service
  fi
  if stop_nm_cloud_setup; then
    install -D -m 0600 /dev/null "$REBOOTED"
    log "rebooting once so nm-cloud-setup's routes are gone; the bootstrap runs again after the reboot"
    systemctl reboot
    exit 0
  fi
  exec "$@"
}

main "$@"
