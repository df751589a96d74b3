#!/usr/bin/env bash
# Adds a migration with the same name to both providers' sets, so that they never drift apart.
# Usage: eng/add-migration.sh NAME
set -euo pipefail
name="${1:?usage: eng/add-migration.sh NAME}"
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
for provider in Sqlite Postgres; do
  dotnet ef migrations add "$name" \
    --project src/Reeve.Server --startup-project src/Reeve.Server \
    --context "${provider}ReeveDbContext" \
    --output-dir "Storage/Migrations/${provider}" \
    --namespace "Reeve.Server.Storage.Migrations.${provider}"
  # dotnet ef writes the model snapshot under a folder named after the namespace; keep it beside its migrations.
  stray="src/Reeve.Server/Reeve/Server/Storage/Migrations/${provider}"
  if [ -d "$stray" ]; then
    mv "$stray"/*.cs "src/Reeve.Server/Storage/Migrations/${provider}/"
  fi
done
rm -rf src/Reeve.Server/Reeve
eng/compile-models.sh
