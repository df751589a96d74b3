#!/usr/bin/env bash
# Starts a private Docker engine whose whole state lives under DIR and prints the DOCKER_HOST line
# to use it. Usage: eng/docker/start-docker.sh DIR      (stop with eng/docker/stop-docker.sh DIR)
# No bridge/iptables/NAT: containers must run with --network host (or none).
# Installs docker.io with apt-get if dockerd is missing. Idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/common.sh"

dir="$(abs_dir "${1:?usage: eng/docker/start-docker.sh DIR}")"
sock="$dir/docker.sock"
host="unix://$sock"
timeout="${REEVE_DOCKER_START_TIMEOUT:-60}"

# unix socket paths are limited to 107 bytes; containerd's lives under DIR/exec.
if [ "${#dir}" -gt 60 ]; then
  echo "DIR path too long for unix sockets (keep it under 60 chars): $dir" >&2
  exit 1
fi

if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
  echo "installing docker.io ..." >&2
  apt_install docker.io
fi

if docker -H "$host" version >/dev/null 2>&1; then
  echo "export DOCKER_HOST=$host"
  exit 0
fi

mkdir -p "$dir/data" "$dir/exec"
# Own (empty) config file so /etc/docker/daemon.json never leaks in.
[ -f "$dir/daemon.json" ] || echo '{}' >"$dir/daemon.json"
# A stale pid file (crashed daemon) makes dockerd refuse to start.
if [ -f "$dir/dockerd.pid" ] && [ ! -d "/proc/$(cat "$dir/dockerd.pid")" ]; then
  as_root rm -f "$dir/dockerd.pid"
fi

args=(
  --config-file "$dir/daemon.json"
  --data-root "$dir/data"
  --exec-root "$dir/exec"
  --pidfile "$dir/dockerd.pid"
  --host "$host"
  --iptables=false --ip-forward=false --ip-masq=false --bridge=none
)
# When not root, dockerd runs via sudo; give the caller's group access to the socket.
sudo=()
if [ "$(id -u)" != "0" ]; then
  sudo=(sudo)
  args+=(--group "$(id -gn)")
fi

# setsid: detach from the caller's session so the daemon outlives this script/terminal.
# A plain command (no function/subshell), so nothing keeps the caller's stdout open: $(...) returns.
"${sudo[@]}" setsid dockerd "${args[@]}" </dev/null >>"$dir/dockerd.log" 2>&1 &
bg=$!

for ((i = 0; i < timeout * 4; i++)); do
  if docker -H "$host" version >/dev/null 2>&1; then
    echo "export DOCKER_HOST=$host"
    exit 0
  fi
  kill -0 "$bg" 2>/dev/null || { echo "dockerd exited during startup." >&2; break; }
  sleep 0.25
done
echo "dockerd failed to start or did not answer on $host within ${timeout}s. Last lines of $dir/dockerd.log:" >&2
tail -n 30 "$dir/dockerd.log" >&2 || true
exit 1
