#!/bin/bash
# The host side of RKE2's CIS profile (rkeHa.profile: cis), which RKE2 checks
# at every start and refuses to start without, but never does itself
# (docs/design-notes.md, "The CIS profile"):
# - the etcd user and group, in /etc/passwd and /etc/group themselves (RKE2
#   looks them up there, not through NSS): etcd's static pod runs as them and
#   its data directory is theirs;
# - the kernel parameters of SYSCTL_FILE, which cloud-init wrote to
#   /etc/sysctl.d (systemd-sysctl applies it on every later boot; on the first
#   boot it was written after systemd-sysctl ran, so it is applied here).
#
# Run before every start of the bootstrap (ExecStartPre of
# rancher-aws-bootstrap.service), so before RKE2 first starts. Idempotent. A
# failure stops that run of the bootstrap with its reason in the unit's journal
# (journalctl -u rancher-aws-bootstrap), and the unit runs again later.
#
# Usage: rancher-aws-cis-host SYSCTL_FILE
# CIS_PASSWD_FILE and CIS_GROUP_FILE name the account files (tests move them).
set -euo pipefail

SYSCTL_FILE=$1
PASSWD_FILE=${CIS_PASSWD_FILE:-/etc/passwd}
GROUP_FILE=${CIS_GROUP_FILE:-/etc/group}

log() { echo "${0##*/}: $*" >&2; }

# has_entry FILE NAME: FILE (passwd or group format) has an entry NAME.
has_entry() {
  grep -q "^$2:" "$1"
}

etcd_account() {
  if ! has_entry "$GROUP_FILE" etcd; then
    groupadd --system etcd || {
      log "could not create the etcd group that RKE2's CIS profile requires"
      return 1
    }
    log "created the etcd group"
  fi
  if ! has_entry "$PASSWD_FILE" etcd; then
    useradd --system --gid etcd --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin --comment "etcd user" etcd || {
      log "could not create the etcd user that RKE2's CIS profile requires"
      return 1
    }
    log "created the etcd user"
  fi
}

# Applies SYSCTL_FILE, then reads every parameter back: another file that sets
# one later would make RKE2 (and the kubelet, protect-kernel-defaults) refuse.
kernel_parameters() {
  local key value actual wrong=0
  sysctl -q -p "$SYSCTL_FILE" || {
    log "could not apply the kernel parameters of $SYSCTL_FILE"
    return 1
  }
  while IFS='=' read -r key value; do
    case $key in '' | '#'*) continue ;; esac
    actual=$(sysctl -n "$key") || {
      log "could not read the kernel parameter $key"
      return 1
    }
    if [ "$actual" != "$value" ]; then
      log "the kernel parameter $key is $actual after applying $SYSCTL_FILE; RKE2's CIS profile needs $value and refuses to start otherwise (is another sysctl file setting it?)"
      wrong=1
    fi
  done <"$SYSCTL_FILE"
  return "$wrong"
}

etcd_account
kernel_parameters
log "host ready for RKE2's CIS profile: etcd user and group present, kernel parameters of $SYSCTL_FILE in force"
