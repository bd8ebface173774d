#!/bin/bash
# Applies one object of the rancher-backup operator (a Backup or a Restore) and
# waits until the operator reports it done. Terraform runs it as a Kubernetes
# Job, the one object of a Helm release of the readiness gates' chart, and
# waits for the Job with Helm's wait (helm_release, wait_for_jobs): the
# object's CRD is installed in the same apply, so Terraform cannot plan the
# object itself (a manifest resource needs its CRD at plan time).
#
# Done means what the operator writes when it has processed the object's
# current spec: status.observedGeneration equal to metadata.generation and the
# Ready condition True with the message "Completed" (a one-time Backup once its
# file is uploaded; a recurring one once it has taken its first backup or taken
# in a changed schedule; a Restore once every resource is restored, its
# status.restoreCompletionTs set, and its spec.backupFilename the file this
# Job's object names). A Restore runs once: the operator (v10.0.8, v11) leaves
# one with status.restoreCompletionTs alone. So a Restore found finished before
# the apply is not applied again: done when it names this Job's file (a Job
# run again, its text changed), and the Job fails at once when it names
# another (nothing of this file would be restored under that name). Until then
# the operator's last error (the Reconciling condition) is reported.
#
# With STALE_SECRETS, once the object is done: the Secrets of SECRETS_NAMESPACE
# whose names match that regular expression, except those in KEEP_SECRETS, are
# deleted (a migration's Restore brings the old deployment's own Secrets along:
# its writer's key, its encryption configuration).
#
# With DISARM (a drill's Restore): the functions of restore-disarm.sh, sourced
# before this script, hold the restored Deployments' pods before the object is
# applied, and once the stale Secrets are gone delete production's credentials,
# then release the hold.
#
# Environment:
#   OBJECT            the object (JSON or YAML)
#   RESOURCE          its resource (backups.resources.cattle.io | restores.resources.cattle.io)
#   NAME              its name (both are cluster-scoped)
#   DEADLINE_SECONDS  the budget; INTERVAL (seconds between polls, default 10)
#   STALE_SECRETS, SECRETS_NAMESPACE, KEEP_SECRETS (names, space-separated): optional, above
#   DISARM (any value) and restore-disarm.sh's: optional, above
set -uo pipefail

# report_failure comes with the gate chart's Jobs (job-failure.sh); a fallback when the script runs alone.
declare -F report_failure >/dev/null || report_failure() { :; }

INTERVAL=${INTERVAL:-10}
STATUS="not applied yet"

log() { printf '%s %s/%s: %s\n' "$(date -u +%H:%M:%S)" "$RESOURCE" "$NAME" "$*"; }

# The apply is retried: the API server serves a new CRD a moment after the chart created it.
applied() {
  local out
  if out=$(kubectl apply -f - <<<"$OBJECT" 2>&1); then
    log "applied"
    return 0
  fi
  STATUS="not applied: ${out//$'\n'/ }"
  log "$STATUS"
  return 1
}

# The file a Restore object names (its spec.backupFilename, as the object's JSON writes it); empty for a Backup.
wanted_file() {
  [[ $OBJECT =~ \"backupFilename\":\"([^\"]*)\" ]] && printf '%s' "${BASH_REMATCH[1]}"
}

# Before the apply, for a Restore: finished with this file (0), with another (2), or not finished or not there (1).
restored_before() {
  local out finished file wanted
  wanted=$(wanted_file)
  [ -n "$wanted" ] || return 1
  out=$(kubectl get "$RESOURCE" "$NAME" -o jsonpath='{.status.restoreCompletionTs}|{.spec.backupFilename}' 2>/dev/null) || return 1
  IFS='|' read -r finished file <<<"$out"
  [ -n "$finished" ] || return 1
  if [ "$file" = "$wanted" ]; then
    STATUS="$wanted restored at $finished (found finished: not applied again)"
    log "$STATUS"
    return 0
  fi
  STATUS="restored ${file:-a file} at $finished under this name, and not $wanted: the operator runs a Restore once and takes no later change (give the restore a Restore object of its own)"
  log "$STATUS"
  return 2
}

# Done, not yet (1), or never (2: a Restore that finished with another spec, which the operator will not run again).
completed() {
  local out generation observed ready message error finished file wanted
  if ! out=$(kubectl get "$RESOURCE" "$NAME" -o jsonpath='{.metadata.generation}|{.status.observedGeneration}|{.status.conditions[?(@.type=="Ready")].status}|{.status.conditions[?(@.type=="Ready")].message}|{.status.conditions[?(@.type=="Reconciling")].message}|{.status.restoreCompletionTs}|{.spec.backupFilename}' 2>&1); then
    STATUS="cannot read it: ${out//$'\n'/ }"
    log "$STATUS"
    return 1
  fi
  IFS='|' read -r generation observed ready message error finished file <<<"$out"
  wanted=$(wanted_file)
  if [ -n "$wanted" ] && [ -n "$finished" ] && { [ "$observed" != "$generation" ] || [ "$file" != "$wanted" ]; }; then
    STATUS="restored ${file:-a file} at $finished under this name, and not $wanted: the operator runs a Restore once and takes no later change (give the restore a Restore object of its own)"
    log "$STATUS"
    return 2
  fi
  if [ -n "$generation" ] && [ "$observed" = "$generation" ] && [ "$ready" = True ] && [ "$message" = Completed ] &&
    { [ -z "$wanted" ] || { [ -n "$finished" ] && [ "$file" = "$wanted" ]; }; }; then
    STATUS="completed (generation $generation${wanted:+: $wanted restored at $finished})"
    log "$STATUS"
    return 0
  fi
  STATUS="not completed yet (generation ${generation:-?}, observed ${observed:-none}, Ready ${ready:-unset}${message:+: $message})${error:+; last error of the operator: $error}"
  log "$STATUS"
  return 1
}

# Whether another poll fits in the budget (the time slept or the time passed, whichever is more: kubectl calls that
# hang on a lost API count too, so the failure is reported before the Job's deadline stops the pod); otherwise the
# last status is the Job's last line.
budget_left() {
  [ $((WAITED + INTERVAL)) -le "$DEADLINE_SECONDS" ] && [ $((SECONDS + INTERVAL)) -le "$DEADLINE_SECONDS" ] && return 0
  echo "$RESOURCE/$NAME: gave up after ${DEADLINE_SECONDS}s: $STATUS" >&2
  report_failure "$RESOURCE/$NAME: gave up after ${DEADLINE_SECONDS}s: $STATUS"
  return 1
}

# The stale Secrets, deleted one by one; false (STATUS says why) when one could not be listed or deleted.
stale_secrets_removed() {
  local names secret out
  if ! names=$(kubectl -n "$SECRETS_NAMESPACE" get secrets -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' 2>&1); then
    STATUS="cannot list the Secrets of $SECRETS_NAMESPACE: ${names//$'\n'/ }"
    log "$STATUS"
    return 1
  fi
  while IFS= read -r secret; do
    [[ -n $secret && $secret =~ $STALE_SECRETS ]] || continue
    case " ${KEEP_SECRETS:-} " in *" $secret "*) continue ;; esac
    if ! out=$(kubectl -n "$SECRETS_NAMESPACE" delete secret "$secret" --ignore-not-found 2>&1); then
      STATUS="cannot delete the restored Secret $SECRETS_NAMESPACE/$secret: ${out//$'\n'/ }"
      log "$STATUS"
      return 1
    fi
    log "deleted the restored Secret $SECRETS_NAMESPACE/$secret (another deployment's)"
  done <<<"$names"
}

WAITED=0
if [ -n "${DISARM:-}" ]; then
  until hold && held; do
    budget_left || exit 1
    sleep "$INTERVAL"
    WAITED=$((WAITED + INTERVAL))
  done
fi
never() {
  echo "$RESOURCE/$NAME: $STATUS" >&2
  report_failure "$RESOURCE/$NAME: $STATUS"
  exit 1
}
restored_before
before=$?
[ "$before" -eq 2 ] && never
if [ "$before" -ne 0 ]; then
  until applied; do
    budget_left || exit 1
    sleep "$INTERVAL"
    WAITED=$((WAITED + INTERVAL))
  done
  until completed; do
    [ $? -eq 2 ] && never
    budget_left || exit 1
    sleep "$INTERVAL"
    WAITED=$((WAITED + INTERVAL))
  done
fi
if [ -n "${STALE_SECRETS:-}" ]; then
  until stale_secrets_removed; do
    budget_left || exit 1
    sleep "$INTERVAL"
    WAITED=$((WAITED + INTERVAL))
  done
fi
if [ -n "${DISARM:-}" ]; then
  until disarmed && released; do
    budget_left || exit 1
    sleep "$INTERVAL"
    WAITED=$((WAITED + INTERVAL))
  done
fi
