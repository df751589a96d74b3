using Reeve.Core.Orchestration;
using Reeve.Core.States;
using Reeve.Engine;

namespace Reeve.Tests.Flows;

/// <summary>
/// The engine proposes each state with a transition id and tries again with the same id when the server did not answer.
/// When the first try did land (the server changed the state, then stopped before answering), the server refuses the
/// second as a duplicate; the engine takes that as the acceptance it is, rather than giving the run up.
/// </summary>
public sealed class ProposalRetryTests(SdkServerFixture fixture) : IClassFixture<SdkServerFixture>
{
    [Fact]
    public async Task AProposalWhoseFirstAnswerWasLost_IsAcceptedWhenTried_Again()
    {
        var client = fixture.Server.Client;
        var deployment = await client.DeploymentAsync();
        var run = (await client.CreateFlowRunFromDeploymentAsync(deployment.Id)).Id;
        await client.SetFlowRunStateAsync(run, new StateCreate { Type = StateType.Pending });
        var running = new StateCreate { Type = StateType.Running, StateDetails = new StateDetails { TransitionId = Guid.NewGuid() } };

        // The first try: it lands, and its answer is lost on the way back.
        await client.SetFlowRunStateAsync(run, running);
        var retried = await FlowEngine.ProposeAsync(client, run, running, CancellationToken.None);

        Assert.Equal(OrchestrationStatus.Accept, retried.Status);
        Assert.Equal(StateType.Running, retried.State!.Type);
        Assert.Equal(StateType.Running, (await client.ReadFlowRunAsync(run)).StateType);
    }

    [Fact]
    public async Task AnotherEnginesTransition_IsStillRefused()
    {
        var client = fixture.Server.Client;
        var deployment = await client.DeploymentAsync();
        var run = (await client.CreateFlowRunFromDeploymentAsync(deployment.Id)).Id;
        await client.SetFlowRunStateAsync(run, new StateCreate { Type = StateType.Pending });
        var other = new StateCreate { Type = StateType.Cancelling, StateDetails = new StateDetails { TransitionId = Guid.NewGuid() } };
        await client.SetFlowRunStateAsync(run, other);

        // Someone else's transition, proposed again by them: refused, and not taken for this engine's own.
        var again = await client.SetFlowRunStateAsync(run, other);
        var late = await FlowEngine.ProposeAsync(client, run, new StateCreate { Type = StateType.Running }, CancellationToken.None);

        Assert.Equal(OrchestrationStatus.Reject, again.Status);
        Assert.NotEqual(OrchestrationStatus.Accept, late.Status);
        Assert.Equal(StateType.Cancelling, late.State!.Type);
    }
}
