# Helpers only the RKE2 and K3s servers need, appended to boot-lib.sh in
# their user data (boot-files.ts bootFiles). Kept apart so the Docker host's
# user data, which replaces the host when it changes, does not change with them.
# Uses fetch_to from boot-lib.sh.
# shellcheck shell=bash

# place_cluster_cas DIR: the cluster CAs Terraform generated, byte for byte,
# where RKE2 and K3s look for them before generating their own (DIR is the
# distribution's server/tls folder). Only a node that starts a new cluster
# places them; the others get them from the cluster.
place_cluster_cas() {
  fetch_to server-ca-cert "$1/server-ca.crt"
  fetch_to server-ca-key "$1/server-ca.key"
  fetch_to client-ca-cert "$1/client-ca.crt"
  fetch_to client-ca-key "$1/client-ca.key"
}

# --- Day-N helpers of the installed scripts (certificate renewal, restore) ---
# They read DIST (rke2 or k3s) and use the server's own admin kubeconfig.

# server_paths DIST: sets the distribution's data, TLS and kubeconfig paths,
# its service and its kubectl (RKE2 keeps kubectl beside its other binaries).
# shellcheck disable=SC2034 # read by the scripts that source this file
server_paths() {
  DIST=$1
  DATA_DIR=/var/lib/rancher/$DIST
  TLS_DIR=$DATA_DIR/server/tls
  ADMIN_KUBECONFIG=/etc/rancher/$DIST/$DIST.yaml
  SERVICE=$DIST-server
  [ "$DIST" = k3s ] && SERVICE=k3s
  PATH=$PATH:$DATA_DIR/bin
}

# kube ARGS...: kubectl as this server's admin, on its own API server; or as PEER_AUTH says (its flags come after the
# kubeconfig's and override it: cert-renewal.sh peer_access).
PEER_AUTH=()
kube() {
  kubectl --kubeconfig "$ADMIN_KUBECONFIG" --request-timeout=15s "${PEER_AUTH[@]}" "$@"
}

# servers_ready: true when every control-plane node is Ready, but the Node SKIP_NODE (cert-renewal.sh peer_access:
# the server whose kubelet credentials ended, which may not be Ready); prints how many there are.
servers_ready() {
  local lines
  lines=$(kube get nodes -l node-role.kubernetes.io/control-plane=true \
    -o 'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}') || return 1
  [ -n "$lines" ] || return 1
  if grep -v '=True$' <<<"$lines" | grep -qv "^${SKIP_NODE:-}="; then
    log "servers not Ready: $(grep -v '=True$' <<<"$lines" | tr '\n' ' ')"
    return 1
  fi
  grep -c . <<<"$lines"
}

# etcd_healthy SERVERS: true when the supervisor (ETCD_SUPERVISOR, this server's own by default) lists exactly
# SERVERS etcd members, all voting, and each member's /health answers healthy (verified against the etcd CA with
# the client certificate ETCD_CLIENT.crt/.key, the server's own by default), but the member SKIP_URL (peer_access).
etcd_healthy() {
  local members urls url client=${ETCD_CLIENT:-$TLS_DIR/etcd/client}
  members=$(printf 'user = "server:%s"\n' "$(token_password "/etc/rancher/$DIST/token")" |
    curl -sf --config - --connect-timeout 3 --max-time 5 --cacert "$TLS_DIR/server-ca.crt" "https://${ETCD_SUPERVISOR:-127.0.0.1}:9345/db/info") || return 1
  urls=$(python3 -c 'import json, sys
members = json.load(sys.stdin).get("members") or []
if len(members) != int(sys.argv[1]) or any(m.get("isLearner") for m in members):
    sys.exit(1)
print("\n".join(m["clientURLs"][0] for m in members))' "$1" <<<"$members") || {
    log "etcd does not have $1 voting members"
    return 1
  }
  for url in $urls; do
    [ "$url" != "${SKIP_URL:-}" ] || continue
    curl -sf --connect-timeout 3 --max-time 5 --cacert "$TLS_DIR/etcd/server-ca.crt" \
      --cert "$client.crt" --key "$client.key" "$url/health" | grep -q '"health":"true"' || {
      log "etcd member $url is not healthy"
      return 1
    }
  done
}

# cluster_healthy [EXPECTED]: every server Ready and, with embedded etcd, every
# member voting and healthy (full quorum, not just a majority). With EXPECTED
# (the deployment's server count), there must be exactly that many servers:
# a cluster with a server out (removed by a roll, or never joined) looks whole
# by its own count, and is not (design notes, "Who may restart a server").
cluster_healthy() {
  local count
  count=$(servers_ready) || return 1
  if [ -n "${1:-}" ] && [ "$count" -ne "$1" ]; then
    log "$count of the deployment's $1 servers are Ready"
    return 1
  fi
  [ "$DIST" = k3s ] || etcd_healthy "$count"
}

# expected_servers: the deployment's server count, as Terraform wrote it
# (SSM parameter server-count): not what the cluster shows now. Fails when it
# cannot be read, so a guard that needs it fails closed.
expected_servers() {
  local count
  count=$(ssm_get server-count 2>/dev/null) || {
    log "could not read the deployment's server count (SSM $PARAMETER_PREFIX/server-count)"
    return 1
  }
  [[ $count =~ ^[1-9][0-9]?$ ]] || {
    log "the deployment's server count is not a number: $count"
    return 1
  }
  echo "$count"
}

# lease_verdict HOLDER RENEW_TIME DURATION OUT ME NOW: what ME may do with the
# restart Lease (the protocol's one rule; lib/ops/lease.ts leaseVerdict is the
# same rule, and a test holds both to the protocol model): free (no holder),
# mine, held-out (a server is out: never taken by age), stale (its holder
# stopped renewing it: may be taken, conditionally) or held. A renewal time
# that cannot be read counts as held, never as stale.
lease_verdict() {
  local holder=$1 renewed=$2 duration=$3 out=$4 me=$5 now=$6 since
  if [ -z "$holder" ]; then
    echo free
  elif [ "$holder" = "$me" ]; then
    echo mine
  elif [ -n "$out" ]; then
    echo held-out
  elif since=$(date -d "$renewed" +%s 2>/dev/null) && [[ $duration =~ ^[0-9]+$ ]] && [ $((since + duration)) -lt "$now" ]; then
    echo stale
  else
    echo held
  fi
}

# write_restore_record AT: the ConfigMap kube-system/rancher-aws-restore a restore leaves (rke2-restore.sh after a
# cluster reset, k3s-restore.sh after the datastore was restored). restoredLeaseVersion: the resourceVersion of the
# restart Lease as the restore put it back (empty: it held none); the Lease is the restore's only while it still has
# that version (any write moves it on), whoever's clock wrote its renewTime: the roll and the rotations take it
# whatever server it marks out (cli/shared/lease.ts restoredLeaseVersion), every timer run gives it back
# (cert-renewal.sh resume). resetBegan (AT, this server's clock) is for a person; nothing compares it. A record of an
# earlier version (restoredAt only) names no Lease: read as none.
write_restore_record() {
  local version
  if ! version=$(kube get lease -n kube-system rancher-aws-server-restart -o 'jsonpath={.metadata.resourceVersion}' 2>&1); then
    [[ $version == *NotFound* ]] || return 1
    version=""
  fi
  kube delete configmap -n kube-system rancher-aws-restore --ignore-not-found >/dev/null &&
    kube create configmap -n kube-system rancher-aws-restore --from-literal=restoredLeaseVersion="$version" --from-literal=resetBegan="$1" >/dev/null
}

# wait_for SECONDS COMMAND...: polls COMMAND every 10 seconds for up to SECONDS.
wait_for() {
  local limit=$1 waited=0
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$waited" -lt "$limit" ] || return 1
    sleep 10
    waited=$((waited + 10))
  done
}

# aws_post SERVICE REGION OUT DATA [CURL_ARGS...]: POSTs DATA to SERVICE's endpoint in REGION, signed by curl with
# the instance role's credentials (ssm_credentials), the answer in OUT. AWS_STATUS is the HTTP status (000: no
# credentials or no answer); succeeds on 200. A failure forgets the credentials, so the next call reads them again
# (expired or rotated). ssm_lookup (boot-lib.sh, which the Docker host shares) keeps its own copy: changing it would
# change that host's user data, which replaces the host.
aws_post() {
  local service=$1 REGION=$2 out=$3 data=$4
  shift 4
  AWS_STATUS=000
  if ssm_credentials; then
    AWS_STATUS=$(printf '%s\n' "$CREDENTIALS_CONFIG" | curl -s --config - -o "$out" -w '%{http_code}' \
      --aws-sigv4 "aws:amz:$REGION:$service" "$@" --data "$data" \
      "https://$service.$REGION.amazonaws.com/") || AWS_STATUS=000
  fi
  [ "$AWS_STATUS" = 200 ] || CREDENTIALS_CONFIG=""
  [ "$AWS_STATUS" = 200 ]
}

# put_metric NAME VALUE: one value of the deployment's metric NAME in the namespace RESTART_METRIC_NAMESPACE (the
# one the node role may write), whose alarm notifies the alarm topic; nothing without a namespace (alarms off).
# Bounded; a failure is logged and returns 1.
put_metric() {
  [ -n "${RESTART_METRIC_NAMESPACE:-}" ] || return 0
  if aws_post monitoring "$AWS_REGION" /dev/null \
    "Action=PutMetricData&Version=2010-08-01&Namespace=${RESTART_METRIC_NAMESPACE//\//%2F}&MetricData.member.1.MetricName=$1&MetricData.member.1.Value=$2&MetricData.member.1.Unit=Count" \
    --connect-timeout 5 --max-time 20; then
    log "$1=$2 sent to CloudWatch ($RESTART_METRIC_NAMESPACE)"
  else
    log "could not send $1=$2 to CloudWatch (HTTP $AWS_STATUS); the next run sends it again"
    return 1
  fi
}

# put_server_metric NAME VALUE: as put_metric, into this server's own series: dimension Server=SERVER_NAME (its place
# in the deployment, server-0, ..., which a replacement keeps), so the alarm of each server sees it stop sending
# (CertificateDaysLeft). Not folded into put_metric: the Docker host's user data holds that function as it is, and a
# change there replaces the host.
put_server_metric() {
  [ -n "${RESTART_METRIC_NAMESPACE:-}" ] || return 0
  if [ -z "${SERVER_NAME:-}" ]; then
    log "could not send $1=$2 to CloudWatch: no SERVER_NAME in the env file"
    return 1
  fi
  if aws_post monitoring "$AWS_REGION" /dev/null \
    "Action=PutMetricData&Version=2010-08-01&Namespace=${RESTART_METRIC_NAMESPACE//\//%2F}&MetricData.member.1.MetricName=$1&MetricData.member.1.Value=$2&MetricData.member.1.Unit=Count&MetricData.member.1.Dimensions.member.1.Name=Server&MetricData.member.1.Dimensions.member.1.Value=$SERVER_NAME" \
    --connect-timeout 5 --max-time 20; then
    log "$1=$2 sent to CloudWatch ($RESTART_METRIC_NAMESPACE)"
  else
    log "could not send $1=$2 to CloudWatch (HTTP $AWS_STATUS); the next run sends it again"
    return 1
  fi
}

# --- Verified install: nothing downloaded runs or is installed before its SHA-256 is the recorded one ---
# (lib/config/release-sums.ts; the bootstrap's env file carries each address and sum.)

# Records a refused file for whoever looks at the server later (the journal says the same), with beside it how many
# times each file was refused (<marker>.count/<file>). A file that verifies later removes both for itself.
UNVERIFIED_MARKER=/var/lib/rancher/rancher-aws/unverified-artifact
DOWNLOAD_ATTEMPTS=${DOWNLOAD_ATTEMPTS:-5}
# Each transfer is bounded twice (curl): it is abandoned when it moves fewer than DOWNLOAD_SPEED_LIMIT bytes a second
# for DOWNLOAD_SPEED_SECONDS (a stalled connection), and in any case after DOWNLOAD_MAX_SECONDS. The largest file is
# K3s' binary (about 70 MB; RKE2's tarball is about 40 MB): 1,800 s carries it at 40 KB/s, a slow proxy's pace.
DOWNLOAD_SPEED_LIMIT=${DOWNLOAD_SPEED_LIMIT:-1024}
DOWNLOAD_SPEED_SECONDS=${DOWNLOAD_SPEED_SECONDS:-60}
DOWNLOAD_MAX_SECONDS=${DOWNLOAD_MAX_SECONDS:-1800}
# A body whose sum differs is refused this many times, each run of the unit downloading it again (a proxy's block
# page or a mirror still filling is not a changed release), before the boot stops for good (exit 78).
REFUSALS_BEFORE_GIVING_UP=${REFUSALS_BEFORE_GIVING_UP:-3}

# fetch_verified URL SHA256 FILE VERSION: downloads URL to FILE, trying a failed or stalled transfer DOWNLOAD_ATTEMPTS
# times (10 s apart; past that it fails, and the unit's next run tries again), then checks its SHA-256. A body that
# differs is deleted and refused: one journal line naming the file, the version, both sums and what came instead
# (its size and content type, its first printable bytes when it is text), the marker file and the UnverifiedArtifact
# metric (in the deployment's namespace, as put_metric sends; the alarm <name>-unverified-artifact reads it). The
# run then fails and the unit downloads it again after its restart delay; the REFUSALS_BEFORE_GIVING_UP-th refusal
# of the same file exits 78, which stops the unit.
fetch_verified() {
  local url=$1 expected=$2 out=$3 version=$4 actual name=${1##*/} count
  # A version the project records no sum for: nothing to check against, so nothing is downloaded, and no rerun helps.
  [ -n "$expected" ] || refuse_unverified "$name of $version: no SHA-256 is recorded for it" 78
  retry "$DOWNLOAD_ATTEMPTS" 10 curl -sfL --connect-timeout 10 --speed-limit "$DOWNLOAD_SPEED_LIMIT" \
    --speed-time "$DOWNLOAD_SPEED_SECONDS" --max-time "$DOWNLOAD_MAX_SECONDS" -w '%{content_type}' -o "$out" "$url" >"$out.type" || {
    rm -f "$out" "$out.type"
    log "could not download $url (no answer, or slower than $DOWNLOAD_SPEED_LIMIT bytes/s for $DOWNLOAD_SPEED_SECONDS s, or over $DOWNLOAD_MAX_SECONDS s); the next run tries again"
    return 1
  }
  actual=$(sha256sum "$out")
  actual=${actual%% *}
  if [ "$actual" = "$expected" ]; then
    rm -f "$out.type" "$UNVERIFIED_MARKER.count/$name"
    if [ -f "$UNVERIFIED_MARKER" ] && grep -q "^refusing $name of " "$UNVERIFIED_MARKER"; then rm -f "$UNVERIFIED_MARKER"; fi
    return 0
  fi
  count=$(refusal_count "$name")
  local what
  what=$(body_description "$out" "$(<"$out.type")")
  rm -f "$out" "$out.type"
  if [ "$count" -ge "$REFUSALS_BEFORE_GIVING_UP" ]; then
    refuse_unverified "$name of $version from $url: its SHA-256 is $actual, the recorded sum is $expected ($what; refusal $count of $REFUSALS_BEFORE_GIVING_UP, giving up)" 78
  fi
  refuse_unverified "$name of $version from $url: its SHA-256 is $actual, the recorded sum is $expected ($what; refusal $count of $REFUSALS_BEFORE_GIVING_UP, the next run downloads it again)" 1
}

# refusal_count NAME: one more refusal of the file NAME, recorded beside the marker (<marker>.count/NAME); prints how
# many there have been.
refusal_count() {
  local file=$UNVERIFIED_MARKER.count/$1 count=0
  [ ! -f "$file" ] || count=$(<"$file")
  [[ $count =~ ^[0-9]+$ ]] || count=0
  count=$((count + 1))
  install -D -m 0600 /dev/null "$file"
  echo "$count" >"$file"
  echo "$count"
}

# check_release_sums URL FILE SHA256 VERSION: the release's own sums file (URL, sha256sum-<arch>.txt, published with
# the release) must name SHA256, the recorded sum of FILE, as a second record of it (release-files.ts: from upstream
# only; an air gap's mirror is no second origin, and passes no URL). A sums file that cannot be downloaded fails the
# run (the unit tries again). One that names another sum, or none for FILE (a proxy's page, a release re-published), is
# refused as a differing body is, naming both sums: the unit downloads it again, and the REFUSALS_BEFORE_GIVING_UP-th
# refusal exits 78.
check_release_sums() {
  local url=$1 file=$2 expected=$3 version=$4 sums listed count
  # No URL (a mirror) or no recorded sum (fetch_verified refuses that next, saying so): nothing to compare.
  [ -n "$url" ] && [ -n "$expected" ] || return 0
  sums=$(mktemp)
  retry "$DOWNLOAD_ATTEMPTS" 10 curl -sfL --connect-timeout 10 --speed-limit "$DOWNLOAD_SPEED_LIMIT" \
    --speed-time "$DOWNLOAD_SPEED_SECONDS" --max-time "$DOWNLOAD_MAX_SECONDS" -o "$sums" "$url" || {
    rm -f "$sums"
    log "could not download $url, the release's own sums (no answer, or too slow); the next run tries again"
    return 1
  }
  # `<sum>  <file>`, or `<sum> *<file>` (sha256sum's binary mode).
  listed=$(awk -v f="$file" '$2 == f || $2 == "*" f { print tolower($1); exit }' "$sums")
  rm -f "$sums"
  if [ "$listed" = "$expected" ]; then
    rm -f "$UNVERIFIED_MARKER.count/${url##*/}"
    return 0
  fi
  count=$(refusal_count "${url##*/}")
  local what="${listed:-no sum} for $file of $version in $url, the release's own sums, where the recorded sum is $expected"
  if [ "$count" -ge "$REFUSALS_BEFORE_GIVING_UP" ]; then
    refuse_unverified "$file of $version: two records disagree: $what (refusal $count of $REFUSALS_BEFORE_GIVING_UP, giving up)" 78
  fi
  refuse_unverified "$file of $version: two records disagree: $what (refusal $count of $REFUSALS_BEFORE_GIVING_UP, the next run downloads it again)" 1
}

# body_description FILE TYPE: what a refused body was, for the journal: its size, its content type and, when it is
# text (a proxy's or a portal's page), its first 80 printable characters.
body_description() {
  local size text=""
  size=$(wc -c <"$1")
  case $2 in
    text/* | application/json* | application/xml* | '')
      text=$(head -c 400 "$1" | tr -s '\n\r\t' '   ' | tr -cd '[:print:]' | head -c 80)
      [ -z "$text" ] || text=", beginning \"$text\""
      ;;
  esac
  echo "$size bytes of ${2:-no content type}$text"
}

# refuse_unverified WHAT STATUS: the journal line, the marker and the metric of a refused file; exits STATUS (78: the
# unit stops; 1: the unit runs the bootstrap again after its restart delay).
refuse_unverified() {
  local status=$2
  set -- "refusing $1; nothing was installed"
  log "$1"
  install -D -m 0600 /dev/null "$UNVERIFIED_MARKER"
  echo "$1" >"$UNVERIFIED_MARKER"
  put_metric UnverifiedArtifact 1 || true
  exit "$status"
}

# selinux_policy_from_image PACKAGE: on the RHEL family behind closed egress no repository is reachable, so the
# distribution's SELinux policy (rke2-selinux, k3s-selinux, which need container-selinux) must be on the image.
# Without it nothing is installed: exit 78, naming the package (no rerun brings it).
selinux_policy_from_image() {
  rpm -q --quiet "$1" && return 0
  log "$1 is not installed on this image, and egress is closed without a proxy (proxy.egressOnlyTo): no repository can provide it; build the image (rkeHa.amiId) with $1 and container-selinux (docs/rke-ha.md, \"Operating system\"); nothing was installed"
  exit 78
}
