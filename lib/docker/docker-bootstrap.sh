#!/bin/bash
# Bootstrap of the single-node Rancher Docker host. cloud-init runs it once at
# first boot; it is safe to run again (every step checks what is done), e.g.
# after a change of the certificate parameters:
#   sudo /usr/local/sbin/rancher-docker-bootstrap.sh
#
# Reads /etc/rancher-aws/docker.env (written by cloud-init):
#   AWS_REGION          region of the SSM parameters
#   PARAMETER_PREFIX    SSM path holding the bootstrap password and certificate files
#   DATA_VOLUME_ID      EBS volume that holds /var/lib/rancher
#   RANCHER_IMAGE       pinned rancher/rancher image
#   TLS_FILES           certificate files to fetch (cert key cacerts), possibly none
#   UPGRADE_SNAPSHOT_NAME  Name tag of the snapshot taken before another Rancher version starts on the data
#   UPGRADE_SNAPSHOT_TAG   KEY=VALUE tag that snapshot must carry (the host may create no other)
#   HTTPS_PROXY         optional proxy for the SSM requests, with NO_PROXY
# and /etc/rancher-aws/rancher-run.args: the docker run arguments, one a line.
#
# Secrets come from SSM Parameter Store through the shared helpers (retry,
# ssm_get, fetch_to) that cloud-init writes to /usr/local/lib/rancher-aws; the
# snapshot is an EC2 call signed the same way (aws_post, from cluster-lib.sh).
# SNAPSHOT_ATTEMPTS (5, 10 s apart) may be overridden from the environment.
set -euo pipefail
umask 077
export DEBIAN_FRONTEND=noninteractive

# shellcheck source=/dev/null
. /etc/rancher-aws/docker.env
# shellcheck source=/dev/null
. /usr/local/lib/rancher-aws/boot-lib.sh

DATA_DIR=/var/lib/rancher
CONFIG_DIR=/etc/rancher-aws
SSL_DIR=$CONFIG_DIR/ssl
RUN_ARGS=$CONFIG_DIR/rancher-run.args
CONTAINER_ENV=$CONFIG_DIR/rancher.env
SECRETS_ENV=$CONFIG_DIR/rancher-secrets.env
CONTAINER=rancher
CONFIG_LABEL=rancher-aws.config
# The image whose Rancher last ran on the data, on the volume itself: it goes wherever the data goes (a restore too).
DATA_IMAGE_FILE=$DATA_DIR/.rancher-aws-image
SNAPSHOT_ATTEMPTS=${SNAPSHOT_ATTEMPTS:-5}
# Set by mount_data_volume: 1 when this run formatted the volume (nothing on it to keep).
FORMATTED=0

# Prints the data volume's device. On Nitro instances EBS volumes are NVMe
# devices whose serial is the volume id without its dash; older (Xen) types
# show the attachment's /dev/sdf as /dev/xvdf.
data_device() {
  local candidate
  for candidate in "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${DATA_VOLUME_ID//-/}" /dev/xvdf; do
    if [ -b "$candidate" ]; then
      readlink -f "$candidate"
      return 0
    fi
  done
  return 1
}

# Mounts the data volume on /var/lib/rancher, formatting it only when it holds
# no file system at all, and records it in fstab (nofail: a missing volume
# must not stop the boot; Docker waits for the mount, see its drop-in).
mount_data_volume() {
  local device fstype uuid status=0
  log "waiting for the data volume $DATA_VOLUME_ID"
  # Terraform attaches the volume once the instance exists: allow 30 minutes.
  device=$(retry 180 10 data_device)
  blkid -p "$device" >/dev/null 2>&1 || status=$?
  case $status in
    0) log "$device holds a file system: keeping its data" ;;
    2)
      log "$device is empty: formatting it"
      mkfs.ext4 -q -L rancher-data "$device"
      FORMATTED=1
      ;;
    *)
      log "cannot tell whether $device holds data (blkid exit $status); not touching it"
      return 1
      ;;
  esac
  fstype=$(blkid -s TYPE -o value "$device")
  uuid=$(blkid -s UUID -o value "$device")
  mkdir -p "$DATA_DIR"
  if ! grep -q "^UUID=$uuid " /etc/fstab; then
    sed -i "\\#[[:space:]]${DATA_DIR}[[:space:]]#d" /etc/fstab
    printf 'UUID=%s %s %s defaults,nofail,x-systemd.device-timeout=5min 0 2\n' "$uuid" "$DATA_DIR" "$fstype" >>/etc/fstab
    systemctl daemon-reload
  fi
  mountpoint -q "$DATA_DIR" || mount "$DATA_DIR"
  # Grows the file system after the volume was enlarged; a no-op otherwise.
  if [ "$fstype" = ext4 ]; then
    resize2fs "$device" >/dev/null 2>&1 || log "resize2fs $device failed; the file system keeps its size"
  fi
}

# Docker from the distribution's packages, enabled so the container's restart
# policy brings Rancher back after a reboot.
install_docker() {
  if ! command -v docker >/dev/null 2>&1; then
    log "installing docker.io"
    retry 10 30 apt-get -q -o DPkg::Lock::Timeout=600 update
    retry 10 30 apt-get -q -y -o DPkg::Lock::Timeout=600 install docker.io
  fi
  systemctl enable --now docker.service
}

fetch_secrets() {
  local file
  fetch_to bootstrap-password "$SECRETS_ENV" CATTLE_BOOTSTRAP_PASSWORD=
  for file in $TLS_FILES; do
    fetch_to "tls-$file" "$SSL_DIR/$file.pem"
  done
}

# Prints a digest of everything the container is created from (its arguments,
# environment and public certificate files; the key and password change only with them).
config_digest() {
  local file digest
  digest=$(
    {
      cat "$RUN_ARGS" "$CONTAINER_ENV"
      for file in $TLS_FILES; do
        if [ "$file" != key ]; then cat "$SSL_DIR/$file.pem"; fi
      done
    } | sha256sum
  )
  echo "${digest%% *}"
}

# urlencode TEXT: TEXT as one value of a query string.
urlencode() {
  python3 -c 'import sys, urllib.parse; sys.stdout.write(urllib.parse.quote(sys.argv[1], safe=""))' "$1"
}

# Takes an EBS snapshot of the data volume before Rancher of another version than the one that last ran on the data
# starts on it: Rancher migrates its data forward when it starts and is never downgraded, so this snapshot is the way
# back (docs/docker.md). The old container is stopped first and the file system synced, so the snapshot's point in
# time holds no half-written state. Nothing to keep on a volume this run formatted; a volume without a record of its
# image (written by an older bootstrap) is snapshotted. Fails, and so no new container starts, when EC2 does not
# take the snapshot: the readiness check of the apply then fails, naming no answer from Rancher.
snapshot_before_upgrade() {
  local before answer snapshot
  before=$(cat "$DATA_IMAGE_FILE" 2>/dev/null || true)
  # The tag alone: a registry of its own (airGap.systemDefaultRegistry) names the same release.
  if [ "${before##*:}" = "${RANCHER_IMAGE##*:}" ] || [ "$FORMATTED" = 1 ]; then
    return 0
  fi
  docker stop "$CONTAINER" >/dev/null 2>&1 || true
  sync
  answer=$(mktemp)
  if ! retry "$SNAPSHOT_ATTEMPTS" 10 aws_post ec2 "$AWS_REGION" "$answer" "$(snapshot_request "${before:-an image not recorded}")"; then
    log "not starting $RANCHER_IMAGE: EC2 did not take the snapshot of $DATA_VOLUME_ID it needs first (HTTP $AWS_STATUS: $(head -c 300 "$answer")); the data is untouched. Rerun this script once the call can succeed."
    rm -f "$answer"
    return 1
  fi
  snapshot=$(grep -o 'snap-[0-9a-f]*' "$answer" | head -n 1)
  rm -f "$answer"
  log "took snapshot ${snapshot:-(id not in the answer)} ($UPGRADE_SNAPSHOT_NAME) of $DATA_VOLUME_ID before $RANCHER_IMAGE; the data was last served by ${before:-an image not recorded}"
}

# snapshot_request BEFORE: the EC2 CreateSnapshot query, named and tagged as the node role allows.
snapshot_request() {
  printf 'Action=CreateSnapshot&Version=2016-11-15&VolumeId=%s&Description=%s' "$DATA_VOLUME_ID" \
    "$(urlencode "Rancher data before $RANCHER_IMAGE (last served by $1)")"
  printf '&TagSpecification.1.ResourceType=snapshot&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=%s' \
    "$(urlencode "$UPGRADE_SNAPSHOT_NAME")"
  printf '&TagSpecification.1.Tag.2.Key=%s&TagSpecification.1.Tag.2.Value=%s' \
    "$(urlencode "${UPGRADE_SNAPSHOT_TAG%%=*}")" "$(urlencode "${UPGRADE_SNAPSHOT_TAG#*=}")"
}

# Starts the existing container when nothing it was created from changed;
# otherwise (re)creates it. The data stays on the volume either way.
ensure_container() {
  local args want have
  mapfile -t args <"$RUN_ARGS"
  want=$(config_digest)
  have=$(docker inspect --format "{{ index .Config.Labels \"$CONFIG_LABEL\" }}" "$CONTAINER" 2>/dev/null || true)
  if [ "$have" = "$want" ]; then
    log "container $CONTAINER is up to date"
    docker start "$CONTAINER" >/dev/null
    return 0
  fi
  retry 10 30 docker pull -q "$RANCHER_IMAGE"
  snapshot_before_upgrade
  if [ -n "$have" ]; then
    log "replacing container $CONTAINER: its configuration changed"
    docker rm -f "$CONTAINER" >/dev/null
  fi
  docker run --label="$CONFIG_LABEL=$want" "${args[@]}" >/dev/null
  printf '%s\n' "$RANCHER_IMAGE" >"$DATA_IMAGE_FILE"
  log "started $RANCHER_IMAGE as container $CONTAINER"
}

main() {
  if [ -n "${HTTPS_PROXY:-}" ]; then
    export HTTPS_PROXY NO_PROXY
  fi
  mount_data_volume
  install_docker
  fetch_secrets
  ensure_container
  # Rancher runs: from now on its K3s certificates are renewed before they end (k3s-cert-renewal.sh).
  systemctl enable --now rancher-aws-k3s-cert-renewal.timer
}

main "$@"
