namespace Reeve.Core.Audit;

/// <summary>
/// One entry of the audit log: who (an API key's name and role) did what (an action such as
/// <c>work_pool.update</c>) to which resource, and when. Entries are only ever appended.
/// </summary>
public sealed record AuditEvent
{
    /// <summary>The entry's id.</summary>
    public required Guid Id { get; init; }

    /// <summary>When the change was made (when the server answered it).</summary>
    public required DateTimeOffset Occurred { get; init; }

    /// <summary>The name of the API key that made it (<c>REEVE_SERVER_API_KEY</c> for the bootstrap key, <c>anonymous</c> on a server without keys).</summary>
    public required string Actor { get; init; }

    /// <summary>That key's role.</summary>
    public required string Role { get; init; }

    /// <summary>What was done: <c>RESOURCE.VERB</c>, e.g. <c>work_pool.create</c>, <c>flow_run.cancel</c>, <c>credentials.resolve</c>.</summary>
    public required string Action { get; init; }

    /// <summary>The resource it was done to: a name or an id (<c>POOL/QUEUE</c> for a queue), as the request named it or the answer gave it.</summary>
    public string? Resource { get; init; }

    /// <summary>The request as the API's rule table names it, e.g. <c>PATCH /api/work_pools/{name}</c>.</summary>
    public required string Request { get; init; }
}

/// <summary>The query of <c>GET /api/audit</c>: newest first.</summary>
public sealed record AuditFilterRequest
{
    /// <summary>How many to skip.</summary>
    public int Offset { get; init; }

    /// <summary>How many at most (1 to 200; 200 when absent).</summary>
    public int? Limit { get; init; }

    /// <summary>Only entries of this key name.</summary>
    public string? Actor { get; init; }

    /// <summary>Only this action (<c>work_pool.delete</c>) or, ending in a dot, these actions (<c>work_pool.</c>).</summary>
    public string? Action { get; init; }

    /// <summary>Only entries at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }
}
