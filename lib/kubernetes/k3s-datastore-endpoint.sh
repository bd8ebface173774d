#!/bin/bash
# Writes K3s' datastore endpoint (it holds the database password) from SSM to a
# root-only config drop-in: at first boot, and before every start of K3s (an
# ExecStartPre of k3s.service). Terraform keeps the parameter in step with the
# database, so a new endpoint reaches each server at its next start. At a
# restart, an SSM failure keeps the endpoint of the last start: K3s still starts.
set -euo pipefail
umask 077

set -a
# shellcheck source=/dev/null
. /etc/rancher/bootstrap.env
set +a
# shellcheck source=/dev/null
. /usr/local/lib/rancher-aws/boot-lib.sh

TARGET=/etc/rancher/k3s/config.yaml.d/datastore.yaml

main() {
  if [ ! -f "$TARGET" ]; then
    fetch_to datastore-endpoint "$TARGET" 'datastore-endpoint: '
    return 0
  fi
  local value line
  value=$(mktemp)
  if ! retry 3 5 ssm_lookup datastore-endpoint "$value"; then
    log "cannot read the datastore endpoint from SSM; keeping the one from the last start"
    rm -f "$value"
    return 0
  fi
  # Beside the target, under a name K3s does not read (only *.yaml), then renamed over it.
  line=$(mktemp "$TARGET.XXXXXX")
  { printf 'datastore-endpoint: '; cat "$value"; printf '\n'; } >"$line"
  rm -f "$value"
  if cmp -s "$line" "$TARGET"; then
    rm -f "$line"
  else
    log "the datastore endpoint changed: using the new one"
    mv "$line" "$TARGET"
  fi
}

main "$@"
