#!/bin/bash
# rancher-aws-rotate-encryption ACTION [KEY]: `npm run rotate -- rke-ha encryption-key` sends this through SSM to one
# RKE2 server at a time. It reads and drives `rke2 secrets-encrypt` (k3s pkg/cli/secretsencrypt, vendored by RKE2
# v1.35.7+rke2r1), and prints one line the command parses; never a key (only key names, which carry no secret).
#   status        rotate-encryption enabled=yes|no|none stage=<stage> active=<key name> healthy=yes|no hashes=<text>
#                 from `rke2 secrets-encrypt status`: "Encryption Status", "Current Rotation Stage" (this server's
#                 annotation), the active key's name (this server's encryption configuration file), and the line
#                 "Server Encryption Hashes" as printed ("All hashes match", or "hash does not match between A and B");
#                 healthy: cluster_healthy from here, as rotate-token.sh reads it. A server whose supervisor does not
#                 answer (restarting) prints enabled=unknown and healthy=no: a state to wait on, not a failure.
#   rotate KEY    `rke2 secrets-encrypt rotate-keys`, unless this server's active key is no longer KEY (the rotation
#                 already ran: never a second one). Upstream refuses it unless every server's hash matches and this
#                 server's stage is start or reencrypt_finished; so does this script first, saying which. The upstream
#                 client gives up after 70 s while the server goes on re-encrypting: a failure after which the status
#                 shows reencrypt_active or a new key counts as started (the command waits for reencrypt_finished).
#   restart       rke2-server restarted, without waiting for it (the command watches the Node): at its start the server
#                 takes the encryption configuration the rotation saved in the datastore's bootstrap data.
set -euo pipefail
umask 077

set -a
# shellcheck source=/dev/null
. /etc/rancher/bootstrap.env
set +a
# shellcheck source=/dev/null
. /usr/local/lib/rancher-aws/boot-lib.sh

ACTION=${1:?action: status, rotate or restart}
server_paths rke2
PATH=$PATH:/usr/local/bin

# The status line of this server (see above).
status_line() {
  local out enabled stage hashes active healthy
  out=$(rke2 secrets-encrypt status 2>&1) || {
    log "rke2 secrets-encrypt status failed: $(printf '%s' "$out" | tail -n 1)"
    echo "rotate-encryption enabled=unknown stage=unknown active=unknown healthy=no hashes=unknown"
    return 0
  }
  case $(printf '%s\n' "$out" | sed -n 's/^Encryption Status: //p' | head -n 1) in
    Enabled*) enabled=yes ;;
    Disabled,*) enabled=none ;;
    *) enabled=no ;;
  esac
  stage=$(printf '%s\n' "$out" | sed -n 's/^Current Rotation Stage: //p' | head -n 1)
  hashes=$(printf '%s\n' "$out" | sed -n 's/^Server Encryption Hashes: //p' | head -n 1)
  # The key table's row marked " *" (active); its last field is the key's name.
  active=$(printf '%s\n' "$out" | awk '$1 == "*" { print $NF; exit }')
  healthy=no
  systemctl is-active --quiet "$SERVICE" && cluster_healthy "$(expected_servers)" >/dev/null && healthy=yes
  echo "rotate-encryption enabled=$enabled stage=${stage:-none} active=${active:-none} healthy=$healthy hashes=${hashes:-none}"
}

field() {
  sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"
}

case $ACTION in
  status)
    status_line
    ;;
  rotate)
    KEY=${2:?the active key name before the rotation}
    line=$(status_line)
    if [ "$(field enabled "$line")" != yes ]; then
      echo "rotate-encryption refused=enabled $(field enabled "$line")"
      exit 3
    fi
    if [ "$(field active "$line")" != "$KEY" ]; then
      echo "rotate-encryption rotated=already"
      exit 0
    fi
    case $(field stage "$line") in
      start | reencrypt_finished) ;;
      *)
        echo "rotate-encryption refused=stage $(field stage "$line")"
        exit 3
        ;;
    esac
    if [ "${line##* hashes=}" != "All hashes match" ]; then
      echo "rotate-encryption refused=hashes ${line##* hashes=}"
      exit 3
    fi
    if ! out=$(rke2 secrets-encrypt rotate-keys 2>&1); then
      line=$(status_line)
      if [ "$(field stage "$line")" != reencrypt_active ] && [ "$(field active "$line")" = "$KEY" ]; then
        log "rke2 secrets-encrypt rotate-keys failed: $(printf '%s' "$out" | tail -n 1)"
        exit 1
      fi
    fi
    echo "rotate-encryption rotated=now"
    ;;
  restart)
    systemctl restart --no-block "$SERVICE"
    echo "rotate-encryption restart=asked"
    ;;
  *)
    log "unknown action $ACTION"
    exit 2
    ;;
esac
