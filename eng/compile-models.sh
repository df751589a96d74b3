#!/usr/bin/env bash
# Regenerates the compiled EF Core models of both providers (Storage/CompiledModels), which spare the
# server about half a second of model building at start. Run after any change to the model;
# tests/Reeve.Server.Tests/Storage/CompiledModelTests fails while they are stale.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
rm -rf src/Reeve.Server/Storage/CompiledModels
for provider in Sqlite Postgres; do
  dotnet ef dbcontext optimize \
    --project src/Reeve.Server --startup-project src/Reeve.Server \
    --context "${provider}ReeveDbContext" \
    --output-dir "Storage/CompiledModels/${provider}" \
    --namespace "Reeve.Server.Storage.CompiledModels.${provider}"
done
