#!/usr/bin/env bash
# Builds a minimal "FROM scratch" base image able to run .NET self-contained linux-x64 apps, from the
# host's own files (nothing is pulled): glibc + libstdc++/libgcc_s + OpenSSL 3 (+ whatever they load),
# CA bundle, a static busybox (/bin/sh and applets), /tmp (1777), minimal /etc/passwd, group, hosts.
# Usage: eng/docker/build-base-image.sh TAG [APP_DIR...]
#   APP_DIR: optional published app folders; the shared-library deps of their ELF files are added too.
# Uses the daemon in DOCKER_HOST (see start-docker.sh). No ICU: images set
# DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1. Containers should run with --network host (or none).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/common.sh"

tag="${1:?usage: eng/docker/build-base-image.sh TAG [APP_DIR...]}"
shift

if ! docker version >/dev/null 2>&1; then
  echo "no Docker daemon answers (DOCKER_HOST=${DOCKER_HOST:-unset}); run eng/docker/start-docker.sh DIR first" >&2
  exit 1
fi
if ! command -v busybox >/dev/null 2>&1; then
  echo "installing busybox-static ..." >&2
  apt_install busybox-static
fi

ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
root="$ctx/root"
mkdir -p "$root"

# Same top-level layout as the host (Debian 12: merged /usr, /lib -> usr/lib etc.).
for d in bin sbin lib lib64; do
  if [ -L "/$d" ]; then
    target="$(readlink "/$d")"
    mkdir -p "$root/${target#/}"
    ln -s "$target" "$root/$d"
  else
    mkdir -p "$root/$d"
  fi
done

# Copy host path P into the root: the real file at its real path, P itself as a symlink to it.
add_path() {
  local p="$1" real
  real="$(readlink -f "$p")"
  [ -e "$root$real" ] || install -D -m "$(stat -c %a "$real")" "$real" "$root$real"
  if [ "$p" != "$real" ] && [ ! -e "$root$p" ] && [ ! -L "$root$p" ]; then
    mkdir -p "$(dirname "$root$p")"
    ln -s "$real" "$root$p"
  fi
}

# Add an ELF file's shared-library dependencies (ldd resolves the full closure); deps under the
# optional prefix $2 (the app's own folder) are skipped.
declare -A seen=()
add_deps() {
  local line lib skip="${2:-}"
  while read -r line; do
    case "$line" in
      liblttng-ust*) continue ;;  # only for LTTng tracing (libcoreclrtraceptprovider.so); optional
      *"=> not found"*) echo "note: $1 needs ${line%% *}, not on this host; skipped" >&2; continue ;;
      *"=> /"*) lib="${line#*=> }"; lib="${lib%% (*}" ;;
      /*) lib="${line%% (*}" ;;
      *) continue ;;
    esac
    if [ -n "$skip" ] && [[ "$(readlink -m "$lib")" == "$skip"/* ]]; then continue; fi
    if [ -z "${seen[$lib]:-}" ]; then
      seen[$lib]=1
      add_path "$lib"
    fi
  done < <(ldd "$1" 2>/dev/null || true)
}

# Host path of a library by soname (x86-64 entry of the ld.so cache).
lib_path() {
  # (no early awk exit: with pipefail, SIGPIPE in ldconfig would fail the script)
  /sbin/ldconfig -p | awk -v n="$1" '$1 == n && /x86-64/ && !p { p = $NF } END { print p }'
}

# Libraries the .NET host/runtime link against, plus OpenSSL 3 which System.Security.Cryptography
# dlopen()s (hashing, HTTPS). zlib is bundled in .NET's own native libs; ICU is left out (invariant mode);
# libgssapi_krb5 (Negotiate auth) and liblttng (tracing) are optional and left out.
for so in ld-linux-x86-64.so.2 libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 \
  libgcc_s.so.1 libstdc++.so.6 libssl.so.3 libcrypto.so.3; do
  p="$(lib_path "$so")"
  if [ -z "$p" ]; then echo "host library $so not found" >&2; exit 1; fi
  add_path "$p"
  add_deps "$p"
done
add_path /lib64/ld-linux-x86-64.so.2  # the ELF interpreter path baked into apphosts

for app in "$@"; do
  app="$(readlink -f "$app")"
  while IFS= read -r f; do
    if [ "$(od -An -tx1 -N4 "$f" | tr -d ' \n')" = "7f454c46" ]; then add_deps "$f" "$app"; fi
  done < <(find "$app" -type f \( -name '*.so' -o -perm -u+x \))
done

# busybox: /bin/sh and the usual applets as symlinks.
bb="$(readlink -f "$(command -v busybox)")"
install -D -m 755 "$bb" "$root/usr/bin/busybox"
add_deps "$bb"  # no-op for busybox-static
while read -r applet; do
  [ "$applet" = linuxrc ] && continue
  [ -e "$root/$applet" ] || [ -L "$root/$applet" ] || { mkdir -p "$(dirname "$root/$applet")"; ln -s /usr/bin/busybox "$root/$applet"; }
done < <(busybox --list-full)

# OpenSSL config + CA bundle, with Debian's /usr/lib/ssl -> /etc/ssl links.
mkdir -p "$root/etc/ssl/certs" "$root/usr/lib/ssl"
[ -f /etc/ssl/openssl.cnf ] && cp /etc/ssl/openssl.cnf "$root/etc/ssl/"
[ -f /etc/ssl/certs/ca-certificates.crt ] && cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
ln -s /etc/ssl/certs "$root/usr/lib/ssl/certs"
ln -s /etc/ssl/openssl.cnf "$root/usr/lib/ssl/openssl.cnf"
ln -s /etc/ssl/certs/ca-certificates.crt "$root/usr/lib/ssl/cert.pem"

# Minimal /etc, /tmp, home dirs.
mkdir -p "$root/tmp" "$root/var/tmp" "$root/root" "$root/home" "$root/proc" "$root/sys" "$root/dev"
chmod 1777 "$root/tmp" "$root/var/tmp"
chmod 700 "$root/root"
cat >"$root/etc/passwd" <<'TXT'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
TXT
cat >"$root/etc/group" <<'TXT'
root:x:0:
nogroup:x:65534:
TXT
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"

cat >"$ctx/Dockerfile" <<'TXT'
FROM scratch
COPY root/ /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
CMD ["/bin/sh"]
TXT

# Classic builder: no buildx plugin is needed (the CLI may warn that it is deprecated).
if ! out="$(DOCKER_BUILDKIT=0 docker build -q -t "$tag" "$ctx" 2>&1)"; then
  echo "$out" >&2
  exit 1
fi
size="$(docker image inspect -f '{{.Size}}' "$tag")"
echo "built $tag ($((size / 1024 / 1024)) MiB, $(du -sh "$root" | cut -f1) on disk before build)" >&2
echo "$tag"
