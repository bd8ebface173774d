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
