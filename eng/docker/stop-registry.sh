#!/usr/bin/env bash
# Stops the registry started by eng/docker/start-registry.sh DIR.
# Usage: eng/docker/stop-registry.sh DIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/common.sh"

dir="${1:?usage: eng/docker/stop-registry.sh DIR}"
if stop_pidfile "$dir/registry.pid" 15; then
  echo "registry stopped" >&2
else
  echo "registry not running (no live pid in $dir/registry.pid)" >&2
fi
