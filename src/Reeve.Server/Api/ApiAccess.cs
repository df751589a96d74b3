using System.Text.RegularExpressions;
using Reeve.Core.Access;

namespace Reeve.Server.Api;

/// <summary>
/// Who may call an endpoint: a set of roles, how a worker key's pools limit it, and the action its success is recorded
/// as in the audit log (none: not recorded; with <paramref name="AuditWhenAsked"/>, only when the endpoint asks).
/// </summary>
internal readonly record struct ApiRule(ApiAccess.Roles Allowed, ApiAccess.PoolScope Scope = ApiAccess.PoolScope.None, string? Audit = null,
    bool AuditWhenAsked = false);

/// <summary>
/// The one table of who may call what. Every endpoint of the API has its rule here, keyed by method and route as
/// the OpenAPI document writes them; a test walks that document and fails on an endpoint without one. An endpoint
/// missing from the table is refused to every key but the admin's (fail closed).
/// </summary>
internal static partial class ApiAccess
{
    /// <summary>Roles as flags, so that a rule names every role it allows.</summary>
    [Flags]
    internal enum Roles
    {
        None = 0,
        Viewer = 1,
        Developer = 2,
        Platform = 4,
        Admin = 8,
        Worker = 16,
    }

    /// <summary>How a worker key limited to pools is checked on an endpoint.</summary>
    internal enum PoolScope
    {
        /// <summary>Not about a pool; a worker key's pools do not matter.</summary>
        None,

        /// <summary>The route names the pool (<c>{name}</c> under <c>/work_pools</c>, <c>{pool}</c> below it).</summary>
        PoolInRoute,

        /// <summary>The route's <c>{id}</c> is a flow run; its pool must be one of the key's.</summary>
        RunInRoute,

        /// <summary>The body names flow runs whose pools must be the key's (checked by the endpoint itself).</summary>
        RunInBody,

        /// <summary>The route's <c>{id}</c> is a task run; its flow run's pool must be one of the key's.</summary>
        TaskRunInRoute,

        /// <summary>Not limited to a pool: a worker key limited to pools may not call it.</summary>
        AnyPool,
    }

    /// <summary>Anyone who holds a key: reads.</summary>
    private const Roles Read = Roles.Viewer | Roles.Developer | Roles.Platform | Roles.Admin | Roles.Worker;

    /// <summary>Developers and above: flows, deployments, runs.</summary>
    private const Roles Develop = Roles.Developer | Roles.Platform | Roles.Admin;

    /// <summary>Developers and above, and workers: running a flow (states, heartbeats, task runs, logs).</summary>
    private const Roles Execute = Develop | Roles.Worker;

    /// <summary>The platform team: pools, queues, workers, credentials.</summary>
    private const Roles Operate = Roles.Platform | Roles.Admin;

    /// <summary>Workers and the platform team: claiming from pools.</summary>
    private const Roles Work = Roles.Worker | Roles.Platform | Roles.Admin;

    private static readonly Dictionary<string, ApiRule> Table = new(StringComparer.Ordinal)
    {
        // Root and telemetry (the probes answer without a key and are not in the table).
        ["GET /api/hello"] = new(Read),
        ["GET /api/csrf-token"] = new(Read),
        ["GET /api/openapi.json"] = new(Read),
        ["GET /metrics"] = new(Read),
        ["GET /api/collections/views/{view}"] = new(Read),
        ["GET /api/events/flow_runs"] = new(Read),

        // Work pools, their queues and workers.
        ["POST /api/work_pools"] = new(Operate, Audit: "work_pool.create"),
        ["GET /api/work_pools/{name}"] = new(Read),
        ["PATCH /api/work_pools/{name}"] = new(Operate, Audit: "work_pool.update"),
        ["DELETE /api/work_pools/{name}"] = new(Operate, Audit: "work_pool.delete"),
        ["POST /api/work_pools/filter"] = new(Read),
        ["POST /api/work_pools/count"] = new(Read),
        ["POST /api/work_pools/{name}/get_scheduled_flow_runs"] = new(Work, PoolScope.PoolInRoute),
        ["POST /api/work_pools/{name}/claim_flow_runs"] = new(Work, PoolScope.PoolInRoute),
        ["POST /api/work_pools/{pool}/queues"] = new(Operate, Audit: "work_queue.create"),
        ["GET /api/work_pools/{pool}/queues/{name}"] = new(Read),
        ["PATCH /api/work_pools/{pool}/queues/{name}"] = new(Operate, Audit: "work_queue.update"),
        ["DELETE /api/work_pools/{pool}/queues/{name}"] = new(Operate, Audit: "work_queue.delete"),
        ["POST /api/work_pools/{pool}/queues/filter"] = new(Read),
        ["POST /api/work_queues"] = new(Operate, Audit: "work_queue.create"),
        ["POST /api/work_queues/filter"] = new(Read),
        ["GET /api/work_queues/name/{name}"] = new(Read),
        ["GET /api/work_queues/{id}"] = new(Read),
        ["GET /api/work_queues/{id}/status"] = new(Read),
        ["PATCH /api/work_queues/{id}"] = new(Operate, Audit: "work_queue.update"),
        ["DELETE /api/work_queues/{id}"] = new(Operate, Audit: "work_queue.delete"),
        ["POST /api/work_pools/{pool}/workers/heartbeat"] = new(Work, PoolScope.PoolInRoute),
        ["POST /api/work_pools/{pool}/workers/filter"] = new(Read),
        ["DELETE /api/work_pools/{pool}/workers/{name}"] = new(Operate, Audit: "worker.delete"),

        // Flows and deployments.
        ["POST /api/flows"] = new(Execute),
        ["GET /api/flows/{id}"] = new(Read),
        ["GET /api/flows/name/{name}"] = new(Read),
        ["PATCH /api/flows/{id}"] = new(Develop, Audit: "flow.update"),
        ["DELETE /api/flows/{id}"] = new(Develop, Audit: "flow.delete"),
        ["POST /api/flows/filter"] = new(Read),
        ["POST /api/flows/count"] = new(Read),
        ["POST /api/deployments"] = new(Develop, Audit: "deployment.create"),
        ["GET /api/deployments/{id}"] = new(Read),
        ["GET /api/deployments/name/{flow}/{name}"] = new(Read),
        ["PATCH /api/deployments/{id}"] = new(Develop, Audit: "deployment.update"),
        ["DELETE /api/deployments/{id}"] = new(Develop, Audit: "deployment.delete"),
        ["POST /api/deployments/filter"] = new(Read),
        ["POST /api/deployments/count"] = new(Read),
        ["POST /api/deployments/{id}/pause_deployment"] = new(Develop, Audit: "deployment.pause"),
        ["POST /api/deployments/{id}/resume_deployment"] = new(Develop, Audit: "deployment.resume"),
        ["POST /api/deployments/{id}/create_flow_run"] = new(Develop),
        ["POST /api/deployments/get_scheduled_flow_runs"] = new(Execute, PoolScope.AnyPool),
        ["POST /api/deployments/claim_flow_runs"] = new(Execute, PoolScope.AnyPool),
        ["GET /api/deployments/{id}/schedules"] = new(Read),
        ["POST /api/deployments/{id}/schedules"] = new(Develop, Audit: "deployment_schedule.create"),
        ["PATCH /api/deployments/{id}/schedules/{scheduleId}"] = new(Develop, Audit: "deployment_schedule.update"),
        ["DELETE /api/deployments/{id}/schedules/{scheduleId}"] = new(Develop, Audit: "deployment_schedule.delete"),

        // Flow runs (a worker's engine reports them; a flow creates its subflows' runs).
        ["POST /api/flow_runs"] = new(Execute),
        ["GET /api/flow_runs/{id}"] = new(Read),
        ["PATCH /api/flow_runs/{id}"] = new(Execute, PoolScope.RunInRoute),
        ["DELETE /api/flow_runs/{id}"] = new(Develop, Audit: "flow_run.delete"),
        ["POST /api/flow_runs/filter"] = new(Read),
        ["POST /api/flow_runs/count"] = new(Read),
        ["POST /api/flow_runs/history"] = new(Read),
        ["POST /api/flow_runs/{id}/set_state"] = new(Execute, PoolScope.RunInRoute, Audit: "flow_run.cancel", AuditWhenAsked: true),
        ["POST /api/flow_runs/{id}/heartbeat"] = new(Execute, PoolScope.RunInRoute),
        ["GET /api/flow_run_states"] = new(Read),
        ["GET /api/flow_run_states/{id}"] = new(Read),

        // Task runs and logs (a worker's engine reports them).
        ["POST /api/task_runs"] = new(Execute, PoolScope.RunInBody),
        ["GET /api/task_runs/{id}"] = new(Read),
        ["DELETE /api/task_runs/{id}"] = new(Develop, Audit: "task_run.delete"),
        ["POST /api/task_runs/batch"] = new(Execute, PoolScope.RunInBody),
        ["POST /api/task_runs/filter"] = new(Read),
        ["POST /api/task_runs/count"] = new(Read),
        ["POST /api/task_runs/{id}/set_state"] = new(Execute, PoolScope.TaskRunInRoute),
        ["GET /api/task_run_states"] = new(Read),
        ["POST /api/logs"] = new(Execute, PoolScope.RunInBody),
        ["POST /api/logs/filter"] = new(Read),

        // Credentials: anyone reads them masked; only a worker submitting a run (and an admin) sees their values.
        ["POST /api/credentials"] = new(Operate, Audit: "credentials.create"),
        ["POST /api/credentials/filter"] = new(Read),
        ["GET /api/credentials/types"] = new(Read),
        ["GET /api/credentials/{id}"] = new(Read),
        ["GET /api/credentials/{type}/{name}"] = new(Read),
        ["PATCH /api/credentials/{id}"] = new(Operate, Audit: "credentials.update"),
        ["DELETE /api/credentials/{id}"] = new(Operate, Audit: "credentials.delete"),
        // Blocks (Prefect's): flows register types and schemas and save their storage as they run; a document that
        // holds secrets is credentials (BlocksApi checks the platform role on it, and who may read secrets in plaintext).
        ["POST /api/block_types"] = new(Execute, Audit: "block_type.create"),
        ["POST /api/block_types/filter"] = new(Read),
        ["GET /api/block_types/{id}"] = new(Read),
        ["GET /api/block_types/slug/{slug}"] = new(Read),
        ["PATCH /api/block_types/{id}"] = new(Execute, Audit: "block_type.update"),
        ["DELETE /api/block_types/{id}"] = new(Operate, Audit: "block_type.delete"),
        ["GET /api/block_types/slug/{slug}/block_documents"] = new(Read, Audit: "block_document.read_secrets", AuditWhenAsked: true),
        ["GET /api/block_types/slug/{slug}/block_documents/name/{name}"] = new(Read, Audit: "block_document.read_secrets", AuditWhenAsked: true),
        ["POST /api/block_types/install_system_block_types"] = new(Execute),
        ["POST /api/block_schemas"] = new(Execute, Audit: "block_schema.create"),
        ["POST /api/block_schemas/filter"] = new(Read),
        ["GET /api/block_schemas/{id}"] = new(Read),
        ["GET /api/block_schemas/checksum/{checksum}"] = new(Read),
        ["DELETE /api/block_schemas/{id}"] = new(Operate, Audit: "block_schema.delete"),
        ["GET /api/block_capabilities"] = new(Read),
        ["POST /api/block_documents"] = new(Execute, Audit: "block_document.create"),
        ["POST /api/block_documents/filter"] = new(Read, Audit: "block_document.read_secrets", AuditWhenAsked: true),
        ["POST /api/block_documents/count"] = new(Read),
        ["GET /api/block_documents/{id}"] = new(Read, Audit: "block_document.read_secrets", AuditWhenAsked: true),
        ["PATCH /api/block_documents/{id}"] = new(Execute, Audit: "block_document.update"),
        ["DELETE /api/block_documents/{id}"] = new(Execute, Audit: "block_document.delete"),

        ["POST /api/credentials/resolve"] = new(Roles.Worker | Roles.Admin, PoolScope.RunInBody, Audit: "credentials.resolve"),

        // Variables: configuration that is not secret; flows read them.
        ["POST /api/variables"] = new(Develop, Audit: "variable.create"),
        ["POST /api/variables/filter"] = new(Read),
        ["POST /api/variables/count"] = new(Read),
        ["GET /api/variables/{id}"] = new(Read),
        ["GET /api/variables/name/{name}"] = new(Read),
        ["PATCH /api/variables/{id}"] = new(Develop, Audit: "variable.update"),
        ["PATCH /api/variables/name/{name}"] = new(Develop, Audit: "variable.update"),
        ["DELETE /api/variables/{id}"] = new(Develop, Audit: "variable.delete"),
        ["DELETE /api/variables/name/{name}"] = new(Develop, Audit: "variable.delete"),

        // Global concurrency limits: the platform team sets them; running flows take and give back their slots.
        ["POST /api/concurrency_limits"] = new(Operate, Audit: "tag_concurrency_limit.set"),
        ["POST /api/concurrency_limits/filter"] = new(Read),
        ["GET /api/concurrency_limits/{id}"] = new(Read),
        ["GET /api/concurrency_limits/tag/{tag}"] = new(Read),
        ["POST /api/concurrency_limits/tag/{tag}/reset"] = new(Operate, Audit: "tag_concurrency_limit.reset"),
        ["DELETE /api/concurrency_limits/{id}"] = new(Operate, Audit: "tag_concurrency_limit.delete"),
        ["DELETE /api/concurrency_limits/tag/{tag}"] = new(Operate, Audit: "tag_concurrency_limit.delete"),
        ["POST /api/v2/concurrency_limits"] = new(Operate, Audit: "concurrency_limit.create"),
        ["POST /api/v2/concurrency_limits/filter"] = new(Read),
        ["GET /api/v2/concurrency_limits/{idOrName}"] = new(Read),
        ["PATCH /api/v2/concurrency_limits/{idOrName}"] = new(Operate, Audit: "concurrency_limit.update"),
        ["DELETE /api/v2/concurrency_limits/{idOrName}"] = new(Operate, Audit: "concurrency_limit.delete"),
        ["POST /api/v2/concurrency_limits/increment"] = new(Execute),
        ["POST /api/v2/concurrency_limits/decrement"] = new(Execute),

        // Artifacts: what runs make for people (runs write them; deleting one is a developer's).
        ["POST /api/artifacts"] = new(Execute, PoolScope.RunInBody),
        ["POST /api/artifacts/filter"] = new(Read),
        ["POST /api/artifacts/count"] = new(Read),
        ["POST /api/artifacts/latest/filter"] = new(Read),
        ["POST /api/artifacts/latest/count"] = new(Read),
        ["GET /api/artifacts/{id}"] = new(Read),
        ["GET /api/artifacts/{key}/latest"] = new(Read),
        ["PATCH /api/artifacts/{id}"] = new(Execute, PoolScope.RunInBody),
        ["DELETE /api/artifacts/{id}"] = new(Develop, Audit: "artifact.delete"),

        // API keys.
        ["POST /api/api_keys"] = new(Roles.Admin, Audit: "api_key.create"),
        ["POST /api/api_keys/filter"] = new(Roles.Admin),
        ["GET /api/audit"] = new(Roles.Admin),
        ["DELETE /api/api_keys/{id}"] = new(Roles.Admin, Audit: "api_key.delete"),
    };

    /// <summary>Every rule, by <c>METHOD /route</c> (as the OpenAPI document writes routes: no trailing slash, no constraints).</summary>
    public static IReadOnlyDictionary<string, ApiRule> Rules => Table;

    /// <summary>The rule of an endpoint (its route as written in code, constraints and all); null when there is none.</summary>
    public static ApiRule? Find(string method, string route) => Table.TryGetValue(KeyOf(method, route), out var rule) ? rule : null;

    /// <summary>An endpoint's key in the table: <c>METHOD /route</c>, without constraints or a trailing slash.</summary>
    public static string KeyOf(string method, string route) => $"{method} {Constraint().Replace(route, "").TrimEnd('/')}";

    /// <summary>Whether <paramref name="role"/> may call <paramref name="method"/> <paramref name="route"/> (what the UI asks before it offers an action).</summary>
    public static bool Allows(string method, string route, string role) =>
        Find(method, route) is { } rule && (rule.Allowed & Flag(role)) != 0;

    /// <summary>The flag of a role name.</summary>
    public static Roles Flag(string role) => role switch
    {
        ApiRoles.Admin => Roles.Admin,
        ApiRoles.Platform => Roles.Platform,
        ApiRoles.Developer => Roles.Developer,
        ApiRoles.Worker => Roles.Worker,
        ApiRoles.Viewer => Roles.Viewer,
        _ => Roles.None,
    };

    /// <summary>A route parameter's constraint (<c>:guid</c> in <c>{id:guid}</c>), which the OpenAPI document leaves out.</summary>
    [GeneratedRegex(@":[a-z]+(?=\})")]
    private static partial Regex Constraint();
}
