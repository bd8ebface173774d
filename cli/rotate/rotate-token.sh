#!/bin/bash
# rancher-aws-rotate-token ACTION DIST: `npm run rotate -- rke-ha token` sends this through SSM to one server at a
# time (DIST rke2 or k3s). The new cluster token is in the deployment's parameter `token` (the command wrote it there
# before any server used it): it goes from SSM to this server's files and to the local `token rotate`, never through
# the SSM command's parameters or output, which the account's SSM history keeps. What it prints says only whether each
# copy equals the parameter.
#   status   rotate-token config=yes|no server=yes|no started-after-config=yes|no healthy=yes|no
#            config: the token file the service reads at start (config.yaml token-file) holds the parameter's token;
#            server: the data directory's server/token (written by `token rotate` on the server that ran it) does;
#            started-after-config: the service last became active after that token file's last write;
#            healthy: cluster_healthy from here (cluster-lib.sh: the deployment's server count Ready and, with RKE2,
#            every etcd member voting and answering /health), through this server's own API.
#   rotate   `<dist> token rotate --new-token <the parameter's secret part>` on this server (it authenticates with the
#            data directory's token, the old one), unless that file already holds the parameter's token
#   config   the parameter's token into the service's token file (atomically; its time set one second back, so a start
#            in the same second counts as later)
#   restart  the service restarted, without waiting for it (the command watches the Node)
set -euo pipefail
umask 077

set -a
# shellcheck source=/dev/null
. /etc/rancher/bootstrap.env
set +a
# shellcheck source=/dev/null
. /usr/local/lib/rancher-aws/boot-lib.sh

ACTION=${1:?action: status, rotate, config or restart}
server_paths "${2:?distribution: rke2 or k3s}"
PATH=$PATH:/usr/local/bin
CONFIG_TOKEN=${CONFIG_TOKEN:-/etc/rancher/$DIST/token}
SERVER_TOKEN=${SERVER_TOKEN:-$DATA_DIR/server/token}

# The parameter's token into FILE (root only), exactly as stored.
parameter_to() {
  fetch_to token "$1"
}

# same FILE PASSWORD: yes when FILE holds a token whose secret part is PASSWORD.
same() {
  if [ -s "$1" ] && [ "$(token_password "$1" | tr -d '\n')" = "$2" ]; then echo yes; else echo no; fi
}

WANTED=$(mktemp)
trap 'rm -f "$WANTED" "$CONFIG_TOKEN.rotating"' EXIT
parameter_to "$WANTED"
PASSWORD=$(token_password "$WANTED" | tr -d '\n')
[ -n "$PASSWORD" ] || {
  log "the parameter $PARAMETER_PREFIX/token holds no token"
  exit 1
}

case $ACTION in
  status)
    # When the service last became active (as cert-renewal.sh reads it): a restart under way still shows the previous.
    started=$(systemctl show -p ActiveEnterTimestamp --value "$SERVICE")
    started=$(if [ -n "$started" ]; then date -d "$started" +%s 2>/dev/null || echo 0; else echo 0; fi)
    written=$(stat -c %Y "$CONFIG_TOKEN" 2>/dev/null || echo 0)
    after=no
    [ "$started" -gt "$written" ] && after=yes
    healthy=no
    systemctl is-active --quiet "$SERVICE" && cluster_healthy "$(expected_servers)" >/dev/null && healthy=yes
    echo "rotate-token config=$(same "$CONFIG_TOKEN" "$PASSWORD") server=$(same "$SERVER_TOKEN" "$PASSWORD") started-after-config=$after healthy=$healthy"
    ;;
  rotate)
    if [ "$(same "$SERVER_TOKEN" "$PASSWORD")" = yes ]; then
      echo "rotate-token rotated=already"
      exit 0
    fi
    # The server's own data-directory token authenticates the request (the upstream command's default); the local
    # supervisor re-encrypts the bootstrap data in the datastore with the new token and saves it.
    "$DIST" token rotate --new-token "$PASSWORD" >/dev/null
    echo "rotate-token rotated=now"
    ;;
  config)
    cp "$WANTED" "$CONFIG_TOKEN.rotating"
    chmod 0600 "$CONFIG_TOKEN.rotating"
    touch -d "@$(($(date +%s) - 1))" "$CONFIG_TOKEN.rotating"
    mv -f "$CONFIG_TOKEN.rotating" "$CONFIG_TOKEN"
    echo "rotate-token config=written"
    ;;
  restart)
    systemctl restart --no-block "$SERVICE"
    echo "rotate-token restart=asked"
    ;;
  *)
    log "unknown action $ACTION"
    exit 2
    ;;
esac
