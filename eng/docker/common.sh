# shellcheck shell=bash
# Shared helpers for eng/docker/*.sh (sourced, not executed).

# Run as root directly, otherwise through sudo.
as_root() {
  if [ "$(id -u)" = "0" ]; then "$@"; else sudo "$@"; fi
}

# Quiet, non-interactive apt install. Refreshes the package lists once if the first attempt fails
# (e.g. empty lists on a fresh machine). Service auto-start is suppressed while installing, so the
# packages' own system daemons (docker, docker-registry) are not launched behind our back.
apt_install() {
  local policy=/usr/sbin/policy-rc.d added=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
    as_root chmod 755 "$policy"
    added=1
  fi
  local rc=0 log
  log="$(mktemp)"
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  if ! as_root "${apt[@]}" "$@" >"$log" 2>&1; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >"$log" 2>&1 || rc=$?
    [ "$rc" = 0 ] && { as_root "${apt[@]}" "$@" >"$log" 2>&1 || rc=$?; }
  fi
  if [ -n "$added" ]; then as_root rm -f "$policy"; fi
  if [ "$rc" != 0 ]; then
    echo "apt-get install $* failed (exit $rc):" >&2
    tail -n 20 "$log" >&2
  fi
  rm -f "$log"
  return "$rc"
}

# Absolute form of a directory (created if missing).
abs_dir() {
  mkdir -p "$1"
  (cd "$1" && pwd)
}

# Stop the process recorded in a pid file: SIGTERM, wait up to $2 seconds, then SIGKILL.
stop_pidfile() {
  local pidfile="$1" timeout="${2:-30}" pid i
  [ -f "$pidfile" ] || return 1
  pid="$(cat "$pidfile")"
  if [ -z "$pid" ] || [ ! -d "/proc/$pid" ]; then
    as_root rm -f "$pidfile"
    return 1
  fi
  as_root kill "$pid"
  for ((i = 0; i < timeout * 10; i++)); do
    [ -d "/proc/$pid" ] || { as_root rm -f "$pidfile"; return 0; }
    sleep 0.1
  done
  echo "pid $pid did not exit after ${timeout}s; sending SIGKILL" >&2
  as_root kill -9 "$pid" 2>/dev/null || true
  as_root rm -f "$pidfile"
}
