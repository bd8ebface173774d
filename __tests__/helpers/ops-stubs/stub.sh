#!/bin/bash
# The fake cloud's terraform, aws, kubectl and curl (helpers/fake-cloud.ts writes this file under those names, with
# the stub server's port and the folder of the node stubs filled in): the call is handed to the stub server
# (stub-server.js), which runs fake-cloud.js on it and answers its exit code, with its output in files this script
# copies out. When the server answers `delegate` (a call that signals its caller or waits), or cannot be reached, the
# node stub runs the call in a process of its own, as every call ran before the server. Builtins only: a test may give
# the CLI a PATH that holds nothing but the stubs and node.
files=${FAKE_WORLD:-/tmp}/.stub.$$
# A call that reads its standard input (kubectl's `-f -`: a Lease, a manifest; curl's `--data-binary @-` and
# `--config -`; aws's `file:///dev/stdin`): saved for the server, and made this script's standard input again for the
# node stub (open before the server, which deletes the file once this script hangs up, can).
case " $* " in
  *" -f - "* | *" @- "* | *" --config - "* | *" file:///dev/stdin "*)
    IFS= read -r -d '' input || true
    printf '%s' "$input" >"$files.in"
    exec <"$files.in"
    ;;
esac
if { exec 3<>/dev/tcp/127.0.0.1/__PORT__; } 2>/dev/null; then
  # The caller's pid and its TF_VAR_ variables follow the arguments (the count of NAME=value fields, then the fields):
  # the drill's and the acceptance run's stubs read the TF_VAR_ variables their caller set, as in a process of their
  # own, and no stub reads any other (stub-server.js refuses the read of another). Only those: the whole environment
  # (`compgen -e` into a file, read back, a loop over some hundred names) was about half of this script's CPU per call.
  environment=()
  for name in ${!TF_VAR_@}; do environment+=("$name=${!name}"); done
  printf '%s\0' "$files" "$PWD" "${FAKE_WORLD-}" "${0##*/}" "$#" "$@" "$PPID" "${#environment[@]}" "${environment[@]}" >&3
  if IFS= read -r answer <&3 && [ "$answer" != delegate ]; then
    IFS= read -r -d '' out <"$files.out"
    IFS= read -r -d '' err <"$files.err"
    printf '%s' "$out"
    printf '%s' "$err" >&2
    exit "$answer"
  fi
  exec 3>&-
fi
exec "__NODE__" "__STUBS__/${0##*/}" "$@"
