using Reeve.Client;
using Reeve.Core.Deployments;

namespace Reeve.Bench.Scenarios;

/// <summary>For scenarios that serve a flow in this process.</summary>
internal static class Served
{
    /// <summary>The served deployment, once serving has created it.</summary>
    public static async Task<Deployment> DeploymentAsync(ReeveClient client, string flow, string name)
    {
        while (true)
        {
            try
            {
                return await client.ReadDeploymentByNameAsync(flow, name);
            }
            catch (ReeveApiException)
            {
                await Task.Delay(10);
            }
        }
    }
}
