using Reeve.Core.Deployments;
using Reeve.Core.Filters;
using Reeve.Core.FlowRuns;
using Reeve.Core.Flows;
using Reeve.Core.States;
using Reeve.Server.Storage.Entities;

namespace Reeve.Server.Storage;

/// <summary>Turns the wire filters (<c>{"name": {"any_": [...]}}</c>) into queries.</summary>
internal static class QueryFilters
{
    public static IQueryable<FlowRecord> Flows(ReeveDbContext db, IQueryable<FlowRecord> flows, FlowFilter? filter)
    {
        if (filter is null)
        {
            return flows;
        }

        var p = new Predicates<FlowRecord>();
        AddId(p, filter.Id, f => f.Id);
        AddName(p, filter.Name, f => f.Name);
        AddTags(p, filter.Tags, f => f.Tags);
        return p.ApplyTo(flows, filter.Operator);
    }

    public static IQueryable<DeploymentRecord> Deployments(IQueryable<DeploymentRecord> deployments, DeploymentFilter? filter)
    {
        if (filter is null)
        {
            return deployments;
        }

        var p = new Predicates<DeploymentRecord>();
        AddId(p, filter.Id, d => d.Id);
        AddName(p, filter.Name, d => d.Name);
        if (filter.Paused?.Equal is { } paused)
        {
            p.Add(d => d.Paused == paused);
        }

        AddTags(p, filter.Tags, d => d.Tags);

        if (filter.WorkQueueName?.Any is { } queues)
        {
            p.Add(d => d.WorkQueue != null && queues.Contains(d.WorkQueue.Name));
        }

        if (filter.WorkQueueName?.IsNull is { } noQueue)
        {
            p.Add(noQueue ? d => d.WorkQueueId == null : d => d.WorkQueueId != null);
        }

        return p.ApplyTo(deployments, filter.Operator);
    }

    public static IQueryable<FlowRunRecord> FlowRuns(ReeveDbContext db, IQueryable<FlowRunRecord> runs, FlowRunFilter? filter)
    {
        if (filter is null)
        {
            return runs;
        }

        var p = new Predicates<FlowRunRecord>();
        AddId(p, filter.Id, r => r.Id);
        AddName(p, filter.Name, r => r.Name);
        AddTags(p, filter.Tags, r => r.Tags);

        if (filter.DeploymentId?.Any is { } deployments)
        {
            p.Add(r => r.DeploymentId != null && deployments.Contains(r.DeploymentId.Value));
        }

        if (filter.DeploymentId?.IsNull is { } noDeployment)
        {
            p.Add(noDeployment ? r => r.DeploymentId == null : r => r.DeploymentId != null);
        }

        if (filter.WorkQueueName?.Any is { } queueNames)
        {
            p.Add(r => db.WorkQueues.Any(q => q.Id == r.WorkQueueId && queueNames.Contains(q.Name)));
        }

        if (filter.WorkQueueName?.IsNull is { } noQueue)
        {
            p.Add(noQueue ? r => r.WorkQueueId == null : r => r.WorkQueueId != null);
        }

        if (filter.State?.Type?.Any is { } types)
        {
            var wanted = types.Cast<StateType?>().ToList();
            p.Add(r => wanted.Contains(r.StateType));
        }

        if (filter.State?.Type?.NotAny is { } notTypes)
        {
            var unwanted = notTypes.Cast<StateType?>().ToList();
            p.Add(r => r.StateType == null || !unwanted.Contains(r.StateType));
        }

        if (filter.State?.Name?.Any is { } names)
        {
            p.Add(r => r.StateName != null && names.Contains(r.StateName));
        }

        if (filter.State?.Name?.NotAny is { } notNames)
        {
            p.Add(r => r.StateName == null || !notNames.Contains(r.StateName));
        }

        AddTime(p, filter.StartTime, r => r.StartTime ?? r.ExpectedStartTime);
        AddTime(p, filter.EndTime, r => r.EndTime);
        AddTime(p, filter.ExpectedStartTime, r => r.ExpectedStartTime);
        AddTime(p, filter.NextScheduledStartTime, r => r.NextScheduledStartTime);

        if (filter.ParentTaskRunId?.Any is { } parents)
        {
            p.Add(r => r.ParentTaskRunId != null && parents.Contains(r.ParentTaskRunId.Value));
        }

        if (filter.ParentTaskRunId?.IsNull is { } noParent)
        {
            p.Add(noParent ? r => r.ParentTaskRunId == null : r => r.ParentTaskRunId != null);
        }

        if (filter.ParentFlowRunId?.Any is { } parentFlows)
        {
            p.Add(r => db.TaskRuns.Any(t => t.Id == r.ParentTaskRunId && t.FlowRunId != null && parentFlows.Contains(t.FlowRunId.Value)));
        }

        if (filter.IdempotencyKey?.Any is { } keys)
        {
            p.Add(r => r.IdempotencyKey != null && keys.Contains(r.IdempotencyKey));
        }

        if (filter.IdempotencyKey?.NotAny is { } notKeys)
        {
            p.Add(r => r.IdempotencyKey == null || !notKeys.Contains(r.IdempotencyKey));
        }

        return p.ApplyTo(runs, filter.Operator);
    }

    /// <summary>Adds the conditions of an id filter on the id <paramref name="selector"/> picks.</summary>
    public static void AddId<T>(Predicates<T> p, IdFilter? id, System.Linq.Expressions.Expression<Func<T, Guid>> selector)
    {
        if (id?.Any is { } ids)
        {
            p.Add(Compose(selector, i => ids.Contains(i)));
        }

        if (id?.NotAny is { } notIds)
        {
            p.Add(Compose(selector, i => !notIds.Contains(i)));
        }
    }

    /// <summary>Adds the conditions of a tags filter on the tags <paramref name="selector"/> picks.</summary>
    public static void AddTags<T>(Predicates<T> p, TagsFilter? tags, System.Linq.Expressions.Expression<Func<T, List<string>>> selector)
    {
        foreach (var tag in tags?.All ?? [])
        {
            p.Add(Compose(selector, t => t.Contains(tag)));
        }

        if (tags?.Any is { } any)
        {
            p.Add(Compose(selector, t => t.Any(x => any.Contains(x))));
        }

        if (tags?.IsNull is { } isNull)
        {
            p.Add(isNull ? Compose(selector, t => t.Count == 0) : Compose(selector, t => t.Count > 0));
        }
    }

    /// <summary>Adds the conditions of a name filter (<c>any_</c>, <c>like_</c> ignoring case) on the name <paramref name="selector"/> picks.</summary>
    public static void AddName<T>(Predicates<T> p, NameFilter? name, System.Linq.Expressions.Expression<Func<T, string>> selector)
    {
        if (name?.Any is { } names)
        {
            p.Add(Compose(selector, n => names.Contains(n)));
        }

        if (name?.Like is { Length: > 0 } like)
        {
            var lowered = like.ToLowerInvariant();
#pragma warning disable CA1862 // EF translates ToLower().Contains to SQL; the comparison overload is not translatable.
            p.Add(Compose(selector, n => n.ToLower().Contains(lowered)));
#pragma warning restore CA1862
        }
    }

    private static void AddTime<T>(Predicates<T> p, TimeFilter? time, System.Linq.Expressions.Expression<Func<T, DateTime?>> selector)
    {
        if (time?.Before is { } before)
        {
            var b = StorageTime.ToStorage(before);
            p.Add(Compose(selector, t => t != null && t <= b));
        }

        if (time?.After is { } after)
        {
            var a = StorageTime.ToStorage(after);
            p.Add(Compose(selector, t => t != null && t >= a));
        }

        if (time?.IsNull is { } isNull)
        {
            p.Add(Compose(selector, t => (t == null) == isNull));
        }
    }

    /// <summary>Applies a condition to a selected member: <c>Compose(r => r.Name, n => n == "x")</c> is <c>r => r.Name == "x"</c>.</summary>
    private static System.Linq.Expressions.Expression<Func<T, bool>> Compose<T, TValue>(
        System.Linq.Expressions.Expression<Func<T, TValue>> selector, System.Linq.Expressions.Expression<Func<TValue, bool>> condition)
    {
        var body = new Substitute(condition.Parameters[0], selector.Body).Visit(condition.Body);
        return System.Linq.Expressions.Expression.Lambda<Func<T, bool>>(body, selector.Parameters);
    }

    private sealed class Substitute(System.Linq.Expressions.ParameterExpression parameter, System.Linq.Expressions.Expression replacement)
        : System.Linq.Expressions.ExpressionVisitor
    {
        protected override System.Linq.Expressions.Expression VisitParameter(System.Linq.Expressions.ParameterExpression node) =>
            node == parameter ? replacement : base.VisitParameter(node);
    }
}
