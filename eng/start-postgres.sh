#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on a loopback port and prints the connection string to use as
# REEVE_TEST_POSTGRES. Usage: eng/start-postgres.sh DATA_DIR [PORT]
# The cluster trusts local connections and listens on 127.0.0.1 only; stop it with
#   pg_ctl -D DATA_DIR stop -m fast   (as the user that started it)
set -euo pipefail
data="${1:?usage: eng/start-postgres.sh DATA_DIR [PORT]}"
port="${2:-55432}"
extra=""
if [ "${3:-}" = "fast" ]; then
  extra="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
fi

bindir=""
for candidate in /usr/lib/postgresql/*/bin; do
  [ -x "$candidate/pg_ctl" ] && bindir="$candidate"
done
if [ -z "$bindir" ]; then
  echo "PostgreSQL server binaries not found (install postgresql)." >&2
  exit 1
fi

# PostgreSQL refuses to run as root; run it as the postgres user then.
as_owner=()
if [ "$(id -u)" = "0" ]; then
  as_owner=(runuser -u postgres --)
fi

mkdir -p "$data"
if [ "$(id -u)" = "0" ]; then chown postgres "$data"; fi
if [ ! -f "$data/PG_VERSION" ]; then
  "${as_owner[@]}" "$bindir/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
fi
"${as_owner[@]}" "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c max_connections=300 $extra" \
  start >/dev/null
echo "Host=127.0.0.1;Port=$port;Username=postgres"
