using System.Text.Json.Nodes;
using Reeve.Client;
using Reeve.Core.Deployments;
using Reeve.Core.Flows;
using Reeve.Core.WorkPools;

namespace Reeve.Testing;

/// <summary>Quick ways for tests to put flows, pools and deployments on a server.</summary>
public static class Seed
{
    public static async Task<string> PoolAsync(this ReeveClient client, int? limit = null, string type = "process", JsonObject? template = null)
    {
        var name = Names.Unique("pool");
        await client.CreateWorkPoolAsync(new WorkPoolCreate { Name = name, Type = type, ConcurrencyLimit = limit, BaseJobTemplate = template });
        return name;
    }

    public static async Task<Flow> FlowAsync(this ReeveClient client) =>
        await client.CreateFlowAsync(new FlowCreate { Name = Names.Unique("flow") });

    /// <summary>A deployment of a new flow; with a pool, in its default queue unless a queue is named.</summary>
    /// <summary>A run of a new deployment, set RUNNING: what task runs need to start.</summary>
    public static async Task<Core.FlowRuns.FlowRun> RunningFlowRunAsync(this ReeveClient client)
    {
        var deployment = await client.DeploymentAsync();
        var run = await client.CreateFlowRunFromDeploymentAsync(deployment.Id);
        await client.SetFlowRunStateAsync(run.Id, new Core.States.StateCreate { Type = Core.States.StateType.Running });
        return run;
    }

    public static async Task<Deployment> DeploymentAsync(this ReeveClient client, string? pool = null, string? queue = null, int? limit = null,
        CollisionStrategy? strategy = null, JsonObject? schema = null, JsonObject? parameters = null, JsonObject? jobVariables = null, Guid? flowId = null)
    {
        flowId ??= (await client.FlowAsync()).Id;
        return await client.CreateDeploymentAsync(new DeploymentCreate
        {
            Name = Names.Unique("deployment"),
            FlowId = flowId.Value,
            WorkPoolName = pool,
            WorkQueueName = queue,
            ConcurrencyLimit = limit,
            ConcurrencyOptions = strategy is { } s ? new ConcurrencyOptions { CollisionStrategy = s } : null,
            ParameterOpenapiSchema = schema,
            Parameters = parameters,
            JobVariables = jobVariables,
        });
    }

    /// <summary>
    /// <paramref name="count"/> runs of the deployment, due now, each a millisecond after the one before on the
    /// server's fake clock (so that "earliest first" is one order); in the named queue of its pool if given.
    /// </summary>
    public static async Task<List<Core.FlowRuns.FlowRun>> DueRunsAsync(this RunningServer server, Deployment deployment, int count, string? queue = null)
    {
        var runs = new List<Core.FlowRuns.FlowRun>(count);
        for (var i = 0; i < count; i++)
        {
            server.Clock.Advance(TimeSpan.FromMilliseconds(1));
            runs.Add(await server.Client.CreateFlowRunFromDeploymentAsync(deployment.Id, new DeploymentFlowRunCreate { WorkQueueName = queue }));
        }

        return runs;
    }

    public static JsonObject Json(string json) => (JsonObject)JsonNode.Parse(json)!;
}
