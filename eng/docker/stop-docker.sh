#!/usr/bin/env bash
# Stops the Docker engine started by eng/docker/start-docker.sh DIR (containers are stopped by dockerd).
# Usage: eng/docker/stop-docker.sh DIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/common.sh"

dir="${1:?usage: eng/docker/stop-docker.sh DIR}"
if stop_pidfile "$dir/dockerd.pid" 60; then
  echo "dockerd stopped" >&2
else
  echo "dockerd not running (no live pid in $dir/dockerd.pid)" >&2
fi

# dockerd leaves a mount or two under its exec root (the default network namespace): release everything
# still mounted under DIR, deepest first, so the folder can be removed.
abs="$(cd "$dir" 2>/dev/null && pwd || true)"
if [ -n "$abs" ]; then
  awk -v d="$abs/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r | while read -r mount; do
    as_root umount -l "$mount" 2>/dev/null || true
  done
fi
