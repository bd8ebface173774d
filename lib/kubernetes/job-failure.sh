# shellcheck shell=bash
# Put before the script of every Job of the gate chart (gate-chart.ts, chartJob).
#
# report_failure MESSAGE: records MESSAGE as a Warning Event on this pod's Job, so that it outlives the Job: Helm
# uninstalls a failed release (atomic), and its Job and log go at once, while an Event stays for the API server's
# event TTL (an hour by default). JOB_NAME and JOB_NAMESPACE come from the downward API; without them (the script
# run elsewhere), or when the API refuses, only the log line remains.
report_failure() {
  [ -n "${JOB_NAME:-}" ] && [ -n "${JOB_NAMESPACE:-}" ] || return 0
  local now message
  now=$(TZ=UTC date +%Y-%m-%dT%H:%M:%SZ)
  # One line of at most 1,000 bytes (a character cut in two becomes U+FFFD when the API decodes it), as a JSON string.
  message=$(printf '%s' "$1" | tr '\000-\037' ' ' | cut -c1-1000 | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')
  kubectl --request-timeout=10s create -f - >/dev/null 2>&1 <<EVENT || echo "the failure could not be recorded as an Event" >&2
{"apiVersion":"v1","kind":"Event","metadata":{"generateName":"$JOB_NAME-","namespace":"$JOB_NAMESPACE"},"involvedObject":{"apiVersion":"batch/v1","kind":"Job","name":"$JOB_NAME","namespace":"$JOB_NAMESPACE"},"type":"Warning","reason":"RancherAwsJobFailed","message":"$message","source":{"component":"rancher-ha-aws"},"firstTimestamp":"$now","lastTimestamp":"$now","count":1}
EVENT
}
