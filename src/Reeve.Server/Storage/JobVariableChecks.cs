using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;

namespace Reeve.Server.Storage;

/// <summary>
/// The one door job variables pass through on their way into storage, whichever request carries them: a
/// deployment's (created, redeployed, updated, moved to another pool) and a run's (from a deployment, ad hoc in a
/// pool, or patched while scheduled). Each is checked by <see cref="Core.JobTemplates.JobVariables.Validate"/>
/// against the variables schema of the pool the deployment or run is in, and, for a caller below platform, against
/// the variables the pool locks (<see cref="Core.JobTemplates.JobVariables.CheckLocks"/>).
/// </summary>
internal static class JobVariableChecks
{
    /// <summary>
    /// A deployment's own variables: each declared by the pool, of the declared type; required ones may be left to its
    /// runs. Unless the caller may (<see cref="Store.MayOverrideLockedVariables"/>), none the pool locks may differ from
    /// <paramref name="previous"/> (the deployment's as stored, when it was in queue <paramref name="previousQueueId"/>):
    /// a value kept while the deployment moves to another pool is a new value there.
    /// </summary>
    public static async Task ForDeploymentAsync(Store store, ReeveDbContext db, Guid? previousQueueId, Guid? queueId, JsonObject? variables,
        JsonObject? previous, CancellationToken ct)
    {
        if (variables is { Count: > 0 } && await SchemaOfQueueAsync(db, queueId, ct) is { } schema)
        {
            Core.JobTemplates.JobVariables.Validate(schema, enforceRequired: false, variables);
            if (!store.MayOverrideLockedVariables)
            {
                var samePool = previousQueueId == queueId || (previousQueueId is not null
                    && await db.WorkQueues.Where(q => q.Id == previousQueueId || q.Id == queueId).Select(q => q.WorkPoolId).Distinct().CountAsync(ct) == 1);
                Core.JobTemplates.JobVariables.CheckLocks(schema, variables, samePool ? previous : null);
            }
        }
    }

    /// <summary>
    /// A run's variables over its deployment's, from what the caller has already read (the pool's template and the
    /// deployment's variables, as stored): the merged result must satisfy the pool's schema, required variables included.
    /// </summary>
    public static void ForRun(Store store, string? poolTemplate, string? deploymentVariables, JsonObject? variables)
    {
        if (JsonText.ObjectOrNull(poolTemplate)?["variables"] is JsonObject schema)
        {
            Core.JobTemplates.JobVariables.Validate(schema, enforceRequired: true, JsonText.ObjectOrNull(deploymentVariables), variables);
            if (!store.MayOverrideLockedVariables)
            {
                Core.JobTemplates.JobVariables.CheckLocks(schema, variables);
            }
        }
    }

    /// <summary>A run's variables over its deployment's: the merged result must satisfy the pool's schema, required variables included.</summary>
    public static async Task ForRunAsync(Store store, ReeveDbContext db, Guid? poolId, Guid? deploymentId, JsonObject? variables, CancellationToken ct)
    {
        if (poolId is null || await SchemaOfPoolAsync(db, poolId.Value, ct) is not { } schema)
        {
            return;
        }

        var deploymentVariables = deploymentId is { } id
            ? JsonText.ObjectOrNull(await db.Deployments.Where(d => d.Id == id).Select(d => d.JobVariables).FirstOrDefaultAsync(ct))
            : null;
        Core.JobTemplates.JobVariables.Validate(schema, enforceRequired: true, deploymentVariables, variables);
        if (!store.MayOverrideLockedVariables)
        {
            Core.JobTemplates.JobVariables.CheckLocks(schema, variables);
        }
    }

    private static async Task<JsonObject?> SchemaOfQueueAsync(ReeveDbContext db, Guid? queueId, CancellationToken ct) =>
        queueId is null
            ? null
            : JsonText.ObjectOrNull(await db.WorkQueues.Where(q => q.Id == queueId).Select(q => q.WorkPool!.BaseJobTemplate).FirstOrDefaultAsync(ct))?["variables"] as JsonObject;

    private static async Task<JsonObject?> SchemaOfPoolAsync(ReeveDbContext db, Guid poolId, CancellationToken ct) =>
        JsonText.ObjectOrNull(await db.WorkPools.Where(p => p.Id == poolId).Select(p => p.BaseJobTemplate).FirstOrDefaultAsync(ct))?["variables"] as JsonObject;
}
