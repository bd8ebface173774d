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
# - With egress, the packages come from Rancher's RPM repositories: RKE2's
#   (rke2-server, rke2-common, rke2-selinux) and K3s' k3s-selinux. Rancher's
#   key is checked before rpm or dnf trusts it (trust_rancher_rpm_key), and the
#   bootstrap's installer gets a dnf that names only that key.
set -euo pipefail

set -a
# shellcheck source=/dev/null
. /etc/rancher/bootstrap.env
set +a
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

# Both installers write a repository whose gpgkey is https://rpm.rancher.io/public.key, then run dnf -y, which
# imports whatever key that address serves and runs the packages' scriptlets (rancher/rke2 install.sh do_install_rpm,
# k3s-io/k3s install.sh install_selinux_rpm).
RPM_DIR=/run/rancher-aws/rancher-rpm
RANCHER_RPM_KEY_URL=https://rpm.rancher.io/public.key
RANCHER_RPM_KEY_FILE=/etc/pki/rpm-gpg/RPM-GPG-KEY-rancher

# trust_rancher_rpm_key FINGERPRINT: downloads Rancher's key and, before rpm or dnf sees it, checks that the file
# holds one primary key, public, whose fingerprint is FINGERPRINT (its subkeys are part of it; a second key or a
# secret key is refused: exit 78, nothing imported). gpg's export of that key (with the subkeys gpg found bound to it)
# becomes the key file, which rpm imports. Then PATH starts with a dnf and a yum (RHEL 9's yum is dnf) that point
# the gpgkey of the Rancher repositories the installer wrote at that file before running dnf: dnf can import no
# other key for them, and checks their metadata (RKE2's repo_gpgcheck) against it too.
trust_rancher_rpm_key() {
  local key=$RPM_DIR/public.key n found g=(gpg --homedir "$RPM_DIR/gnupg" --batch)
  rm -rf "$RPM_DIR"
  install -d -m 0700 "$RPM_DIR/gnupg" "$RPM_DIR/bin"
  retry "$DOWNLOAD_ATTEMPTS" 10 curl -sfL --max-time 120 -o "$key" "$RANCHER_RPM_KEY_URL" || {
    log "could not download $RANCHER_RPM_KEY_URL; the next run tries again"
    exit 1
  }
  # Primary keys as packets, whether gpg would accept them or not.
  n=$("${g[@]}" --list-packets "$key" | grep -c -e '^:public key packet:' -e '^:secret key packet:') || true
  "${g[@]}" --import "$key" 2>/dev/null || true
  found=$("${g[@]}" --with-colons -k 2>/dev/null | awk -F: '$1 == "pub" { p = 1 } p && $1 == "fpr" { print $10; p = 0 }') || true
  if [ "$n" != 1 ] || [ "$found" != "$1" ]; then
    refuse_unverified "Rancher's RPM signing key from $RANCHER_RPM_KEY_URL: it holds $n primary key(s) (${found//$'\n'/ }), not $1 alone" 78
  fi
  mkdir -p "${RANCHER_RPM_KEY_FILE%/*}"
  "${g[@]}" -a --export "$1" >"$RANCHER_RPM_KEY_FILE"
  rpm --import "$RANCHER_RPM_KEY_FILE"
  for n in dnf yum; do
    printf '#!/bin/sh\nsed -i "s|^gpgkey=.*|gpgkey=file://%s|" /etc/yum.repos.d/rancher-*.repo\nPATH=%q exec dnf "$@"\n' "$RANCHER_RPM_KEY_FILE" "$PATH" >"$RPM_DIR/bin/$n"
    chmod 0700 "$RPM_DIR/bin/$n"
  done
  export PATH=$RPM_DIR/bin:$PATH
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
  # Release candidates come from the testing channel, signed with Rancher's testing key, which no one recorded.
  case " ${RKE2_RPM_CHANNELS:-} " in *" testing "*)
    refuse_unverified "the RKE2 ${RKE2_VERSION:-} RPMs: the testing channel's signing key has no recorded fingerprint (install a release)" 78 ;;
  esac
  local fingerprint=${RKE2_RPM_KEY_FINGERPRINT:-${K3S_RPM_KEY_FINGERPRINT:-}}
  [ -z "$fingerprint" ] || trust_rancher_rpm_key "$fingerprint"
  exec "$@"
}

main "$@"
