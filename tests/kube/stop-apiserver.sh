#!/usr/bin/env bash
# Stops what tests/kube/start-apiserver.sh DIR started, by the PIDs in DIR/pids and nothing else:
# the watchdog first, then kube-apiserver (SIGTERM, SIGKILL after 20 s), then etcd. A PID is only
# signalled while /proc/PID/exe is still the recorded binary, so a recycled PID is never touched.
# DIR itself (certificates, etcd data, logs) stays; the caller removes it.
# Exit status 0 when none of the recorded processes is left running.
set -uo pipefail

[[ $# -eq 1 && -d $1 ]] || { echo "usage: $0 DIR (a directory given to start-apiserver.sh)" >&2; exit 2; }
dir=$(cd "$1" && pwd)
pidfile=$dir/pids
[[ -s $pidfile ]] || { echo "stop-apiserver: nothing recorded in $pidfile"; rm -f "$pidfile"; exit 0; }

ours() { # pid exe: is pid still the process we started?
  local actual
  actual=$(readlink "/proc/$1/exe" 2>/dev/null) || return 1
  actual=${actual% (deleted)}   # the binary was rebuilt while it ran
  [[ $actual == "$(readlink -f "$2")" ]]
}
gone() { ! kill -0 "$1" 2>/dev/null || [[ $(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) == Z ]]; }
wait_gone() { # pid tenths
  local i
  for ((i = 0; i < $2; i++)); do gone "$1" && return 0; sleep 0.1; done
  gone "$1"
}

mapfile -t entries <"$pidfile"
order=()
for name in watchdog kube-apiserver etcd; do
  for entry in "${entries[@]}"; do [[ ${entry%% *} == "$name" ]] && order+=("$entry"); done
done
left=()
for entry in "${order[@]}"; do
  read -r name pid exe <<<"$entry"
  [[ $pid == "$$" ]] && continue   # the watchdog runs this script itself (exec)
  if gone "$pid" || ! ours "$pid" "$exe"; then continue; fi
  if [[ $name == watchdog ]]; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null   # its own process group (setsid)
    wait_gone "$pid" 20 || kill -KILL -- "-$pid" 2>/dev/null
  else
    kill -TERM "$pid" 2>/dev/null
    if ! wait_gone "$pid" 200; then
      echo "stop-apiserver: $name (pid $pid) still running 20 s after SIGTERM; SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null
    fi
  fi
  wait_gone "$pid" 50 || left+=("$entry")
done

if ((${#left[@]} > 0)); then
  printf '%s\n' "${left[@]}" >"$pidfile"
  echo "stop-apiserver: still running: ${left[*]}" >&2
  exit 1
fi
rm -f "$pidfile"
echo "stop-apiserver: stopped ${#order[@]} processes in $dir"
