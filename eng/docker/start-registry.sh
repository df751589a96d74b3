#!/usr/bin/env bash
# Starts a private, plain-HTTP image registry (Debian's docker-registry = distribution 2.x) on
# 127.0.0.1:PORT with its storage under DIR, and prints its address (127.0.0.1:PORT).
# Usage: eng/docker/start-registry.sh DIR [PORT [HTPASSWD]]     (stop with eng/docker/stop-registry.sh DIR)
# No TLS: dockerd treats 127.0.0.0/8 as an insecure registry by default, so `docker push
# 127.0.0.1:PORT/name:tag` works as is. No auth unless HTPASSWD names an htpasswd file (bcrypt
# entries), which every request must then log in with. Installs docker-registry if missing. Idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/common.sh"

dir="$(abs_dir "${1:?usage: eng/docker/start-registry.sh DIR [PORT]}")"
port="${2:-55000}"
htpasswd="${3:-}"
addr="127.0.0.1:$port"
timeout="${REEVE_REGISTRY_START_TIMEOUT:-30}"

if ! command -v docker-registry >/dev/null 2>&1; then
  echo "installing docker-registry ..." >&2
  apt_install docker-registry
fi

pidfile="$dir/registry.pid"
alive() { [ -f "$pidfile" ] && [ -d "/proc/$(cat "$pidfile")" ]; }
if alive && [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$addr/v2/")" != "000" ]; then
  echo "$addr"
  exit 0
fi
if curl -s -o /dev/null "http://$addr/"; then
  echo "something else is already listening on $addr" >&2
  exit 1
fi
if alive; then
  echo "a registry from $pidfile is running but not answering on $addr; stop it first (stop-registry.sh $dir)" >&2
  exit 1
fi

mkdir -p "$dir/data"
secret="$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
cat >"$dir/config.yml" <<YAML
version: 0.1
log:
  level: info
  fields:
    service: registry
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: $addr
  secret: $secret
  headers:
    X-Content-Type-Options: [nosniff]
YAML
if [ -n "$htpasswd" ]; then
  cat >>"$dir/config.yml" <<YAML
auth:
  htpasswd:
    realm: reeve-test-registry
    path: $(cd "$(dirname "$htpasswd")" && pwd)/$(basename "$htpasswd")
YAML
fi

# env -i: REGISTRY_* variables in the caller's environment would override the config file.
# setsid: detach from the caller's session so the registry outlives this script.
env -i PATH="$PATH" setsid docker-registry serve "$dir/config.yml" </dev/null >>"$dir/registry.log" 2>&1 &
echo $! >"$pidfile"

for ((i = 0; i < timeout * 10; i++)); do
  # With auth, /v2/ answers 401 once it is up.
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$addr/v2/")" != "000" ]; then
    echo "$addr"
    exit 0
  fi
  alive || { echo "docker-registry exited during startup." >&2; break; }
  sleep 0.1
done
echo "registry failed to start or did not answer on http://$addr/v2/ within ${timeout}s. Last lines of $dir/registry.log:" >&2
tail -n 30 "$dir/registry.log" >&2 || true
exit 1
