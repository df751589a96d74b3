#!/usr/bin/env bash
# Stops what eng/kubernetes/start.sh DIR started (by the process ids it wrote), newest first.
set -uo pipefail
dir="${1:?usage: eng/kubernetes/stop.sh DIR}"
for name in kube-scheduler kube-controller-manager kube-apiserver etcd; do
  pid_file="$dir/$name.pid"
  [ -f "$pid_file" ] || continue
  pid="$(cat "$pid_file")"
  kill "$pid" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null
  rm -f "$pid_file"
done
rm -f "$dir/env"
