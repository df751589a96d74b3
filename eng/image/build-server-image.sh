#!/usr/bin/env bash
# Builds the server image where nothing can be pulled: publishes the reeve command on this machine (self-contained,
# ReadyToRun) and builds deploy/docker/Dockerfile's "prebuilt" target on BASE (eng/docker/build-base-image.sh makes
# one from this machine's files). Uses the engine in DOCKER_HOST.
#
#   eng/image/build-server-image.sh TAG BASE      e.g. eng/image/build-server-image.sh reeve/server:test reeve/base:1
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tag="${1:?usage: eng/image/build-server-image.sh TAG BASE}"
base="${2:?usage: eng/image/build-server-image.sh TAG BASE}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
ctx="$work/context"
mkdir -p "$ctx/data"
dotnet publish "$root/src/Reeve.Cli/Reeve.Cli.csproj" -c Release -r linux-x64 --self-contained -p:PublishReadyToRun=true \
  -p:ArtifactsPath="$work/artifacts" -o "$ctx/publish" -nologo >"$work/publish.log" 2>&1 || { tail -30 "$work/publish.log" >&2; exit 1; }
cp "$root/deploy/docker/Dockerfile" "$ctx/Dockerfile"
# The prebuilt target's stages come first, so even the legacy builder builds nothing else.
DOCKER_BUILDKIT=0 docker build -q --target prebuilt --build-arg "BASE_IMAGE=$base" -t "$tag" "$ctx" >/dev/null
echo "$tag"
