# shellcheck shell=bash
# A stand-in for the API server a drill's Restore Job talks to (restore-disarm.tools.test.ts), as bash functions over
# files in W: Secrets (`namespace name type`), Deployments and pods of the restored backup, and admission as the API
# server does it for a ValidatingAdmissionPolicy and its binding (admissionregistration.k8s.io/v1): in force only
# once both exist and the API server has loaded them (LOAD_CALLS calls after their creation: its policy source is
# an informer), refusing a pod CREATE (a server-side dry run too: admission runs for dry runs) whose namespace
# matches the expression written in the policy, evaluated here as the regular expression it is. After each call the
# Deployment controller creates each restored Deployment's pod unless admission refuses it; a pod that starts while
# any of production's credentials is in the cluster is the harm guarded against, recorded in W/ran.
# RESTORED_SECRETS and RESTORED_DEPLOYMENTS (arrays) are what the Restore's apply creates; REFUSE_DELETE names a
# Secret (namespace/name) whose deletion the API refuses every time.
# The operator runs a Restore once (rancher/backup-restore-operator v10.0.8 pkg/controllers/restore/controller.go:
# its handler returns at once for an object whose status has a restore completion time, and sets the observed
# generation only when it completes): the first apply of the object restores and completes it (W/restore:
# `generation|observed|completion time|spec's file`); a later apply of another spec moves the generation and the
# spec's file, and restores nothing.
LOAD_CALLS=${LOAD_CALLS:-2}
# Calls are counted in a file: the scripts call kubectl in command substitutions (subshells).
echo 0 >"$W/call"
sleep() { SLEPT=$((SLEPT + $1)); }
date() { echo 00:00:00; }
hold_pattern() {
  [ -s "$W/policy" ] && [ -s "$W/binding" ] || return 1
  [ $(($(cat "$W/call") - $(cat "$W/loaded"))) -ge "$LOAD_CALLS" ] || return 1
  sed -n "s/.*request.namespace.matches('\([^']*\)').*/\1/p" "$W/policy"
}
admitted() {
  local pattern
  pattern=$(hold_pattern) || return 0
  ! [[ $1 =~ $pattern ]]
}
credentials_there() {
  awk '$3 == "provisioning.cattle.io/cloud-credential" || $1 == "cattle-global-data" || ($1 == "fleet-default" && ($2 ~ /machine-driver-secret$|^harvesterconfig/ || $3 == "rke.cattle.io/machine-state"))' "$W/secrets" | grep -q .
}
controllers() {
  local ns name
  [ -s "$W/deployments" ] || return 0
  while read -r ns name; do
    grep -qx "$ns $name" "$W/pods" && continue
    admitted "$ns" || {
      echo "$ns/$name refused" >>"$W/refused"
      continue
    }
    echo "$ns $name" >>"$W/pods"
    if credentials_there; then echo "$ns/$name started with production's credentials in the cluster" >>"$W/ran"; fi
  done <"$W/deployments"
}
# list_secrets NAMESPACE|-A TYPE|'' name|nsname
list_secrets() {
  awk -v ns="$1" -v type="$2" -v f="$3" '(ns == "-A" || $1 == ns) && (type == "" || $3 == type) { print (f == "name" ? $2 : $1 "/" $2) }' "$W/secrets"
}
kubectl() {
  echo $(($(cat "$W/call") + 1)) >"$W/call"
  echo "kubectl $*" >>"$W/calls"
  local ns="" type="" all="" format=name out=0 a input
  case "$*" in *'.metadata.namespace'*) format=nsname ;; esac
  for a in "$@"; do
    case "$a" in
      --field-selector=type=*) type=${a#--field-selector=type=} ;;
      --all-namespaces) all=1 ;;
    esac
  done
  [ "$1" = -n ] && ns=$2
  case "$*" in
    "--request-timeout=10s create -f -") cat >/dev/null ;;
    "create -f -")
      input=$(cat)
      if [ -s "$W/policy" ]; then
        echo 'Error from server (AlreadyExists): validatingadmissionpolicies.admissionregistration.k8s.io "x" already exists'
        out=1
      else
        grep '"kind":"ValidatingAdmissionPolicy"' <<<"$input" >"$W/policy"
        grep '"kind":"ValidatingAdmissionPolicyBinding"' <<<"$input" >"$W/binding"
        cp "$W/policy" "$W/policy.written"
        cp "$W/binding" "$W/binding.written"
        cp "$W/call" "$W/loaded"
        echo "validatingadmissionpolicy.admissionregistration.k8s.io/x created"
      fi
      ;;
    "-n "*" create --dry-run=server -f -")
      cat >/dev/null
      if admitted "$ns"; then
        echo "pod/rancher-aws-hold-probe created (server dry run)"
      else
        echo "The pods \"rancher-aws-hold-probe\" is forbidden: ValidatingAdmissionPolicy '$HOLD_POLICY' with binding '$HOLD_POLICY' denied request"
        out=1
      fi
      ;;
    "apply -f -")
      input=$(cat)
      local file="" generation observed finished
      [[ $input =~ \"backupFilename\":\"([^\"]*)\" ]] && file=${BASH_REMATCH[1]}
      if [ -s "$W/restore" ]; then
        IFS='|' read -r generation observed finished _ <"$W/restore"
        [ "$input" = "$(cat "$W/applied")" ] || echo "$((generation + 1))|$observed|$finished|$file" >"$W/restore"
        echo "restore.resources.cattle.io/${NAME:?} configured"
      else
        printf '%s\n' "${RESTORED_SECRETS[@]}" >>"$W/secrets"
        printf '%s\n' "${RESTORED_DEPLOYMENTS[@]}" >"$W/deployments"
        echo "1|1|2026-11-25T10:00:00Z|$file" >"$W/restore"
        echo "restore.resources.cattle.io/${NAME:?} created"
      fi
      printf '%s' "$input" >"$W/applied"
      ;;
    "get restores.resources.cattle.io $NAME -o jsonpath="*)
      if [ -s "$W/restore" ]; then
        IFS='|' read -r generation observed finished file <"$W/restore"
        case "$*" in
          *'jsonpath={.status.restoreCompletionTs}|{.spec.backupFilename}') echo "$finished|$file" ;;
          *) echo "$generation|$observed|True|Completed||$finished|$file" ;;
        esac
      else
        echo "Error from server (NotFound): restores.resources.cattle.io \"$NAME\" not found"
        out=1
      fi
      ;;
    *" get secrets "* | "get secrets "*)
      if [ -n "$all" ]; then list_secrets -A "$type" "$format"; else list_secrets "$ns" "$type" "$format"; fi
      ;;
    "-n "*" delete secret "*)
      if [ "$ns/$5" = "${REFUSE_DELETE:-}" ]; then
        echo "Error from server (Forbidden): secrets \"$5\" is forbidden"
        out=1
      else
        awk -v ns="$ns" -v n="$5" '!($1 == ns && $2 == n)' "$W/secrets" >"$W/secrets.new"
        mv "$W/secrets.new" "$W/secrets"
        echo "secret \"$5\" deleted"
      fi
      ;;
    "delete validatingadmissionpolicybindings.admissionregistration.k8s.io "*)
      : >"$W/binding"
      echo deleted
      ;;
    "delete validatingadmissionpolicies.admissionregistration.k8s.io "*)
      : >"$W/policy"
      echo deleted
      ;;
    *)
      echo "unexpected kubectl $*" >&2
      out=99
      ;;
  esac
  controllers
  return $out
}
