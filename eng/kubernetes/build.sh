#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager and kube-scheduler 1.20.2 from Debian's source package
# `kubernetes` into a cache folder outside the clone, once; later calls reuse the binaries.
#
#   eng/kubernetes/build.sh [CACHE]      (CACHE defaults to $REEVE_KUBERNETES_CACHE or ~/.cache/reeve-kubernetes)
#
# Prints the folder holding the binaries. Needs root for apt-get (Debian packages only: golang-go, etcd, rsync).
# The vendored github.com/modern-go/reflect2 v1.0.1 crashes under Go >= 1.18, so it is replaced by Debian's v1.0.2.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/../docker/common.sh"
cache="${1:-${REEVE_KUBERNETES_CACHE:-$HOME/.cache/reeve-kubernetes}}"
bin="$cache/bin"
stamp="$bin/.built-1.20.2-reflect2-1.0.2"
log() { echo "[kubernetes] $*" >&2; }

packages=(golang-go rsync etcd-server etcd-client golang-github-modern-go-reflect2-dev dpkg-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  apt_install "${missing[@]}"
fi

if [ -f "$stamp" ] && [ -x "$bin/kube-apiserver" ] && [ -x "$bin/kube-controller-manager" ] && [ -x "$bin/kube-scheduler" ]; then
  echo "$bin"
  exit 0
fi

# The source package needs a deb-src line for bookworm main.
if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
  log "adding a deb-src line for bookworm main"
  cat > /etc/apt/sources.list.d/reeve-deb-src.sources <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  apt-get update -qq
fi

src="$cache/src"
rm -rf "$src"
mkdir -p "$src" "$bin"
log "downloading Debian's kubernetes source package"
(cd "$src" && apt-get source --download-only -qq kubernetes >/dev/null)
dsc="$(ls "$src"/kubernetes_*.dsc | head -1)"
(cd "$src" && dpkg-source --no-check -x "$dsc" tree >/dev/null)
tree="$src/tree"

log "replacing the vendored reflect2 v1.0.1 with Debian's v1.0.2"
rm -rf "$tree/vendor/github.com/modern-go/reflect2"
cp -r /usr/share/gocode/src/github.com/modern-go/reflect2 "$tree/vendor/github.com/modern-go/reflect2"
sed -i 's|github.com/modern-go/reflect2 v1.0.1|github.com/modern-go/reflect2 v1.0.2|g' "$tree/vendor/modules.txt" "$tree/go.mod"

log "building kube-apiserver, kube-controller-manager and kube-scheduler (about 8 minutes)"
started=$(date +%s)
(cd "$tree" && CGO_ENABLED=0 GOPROXY=off GOFLAGS=-mod=vendor make WHAT="cmd/kube-apiserver cmd/kube-controller-manager cmd/kube-scheduler" >"$cache/build.log" 2>&1) \
  || { tail -40 "$cache/build.log" >&2; exit 1; }
for b in kube-apiserver kube-controller-manager kube-scheduler; do
  cp "$tree/_output/bin/$b" "$bin/$b" 2>/dev/null || cp "$(find "$tree/_output" -type f -name "$b" | head -1)" "$bin/$b"
done
touch "$stamp"
log "built in $(( $(date +%s) - started )) s"
rm -rf "$src"
echo "$bin"
