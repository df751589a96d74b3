using Reeve.Core.WorkQueues;

namespace Reeve.Core.Tests.WorkQueues;

public class WorkQueueStatusRuleTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Decide_Paused_IsPausedWhateverThePolling() =>
        Assert.Equal(WorkQueueStatus.Paused, WorkQueueStatusRule.Decide(true, Now, Now));

    [Fact]
    public void Decide_NeverPolled_IsNotReady() =>
        Assert.Equal(WorkQueueStatus.NotReady, WorkQueueStatusRule.Decide(false, null, Now));

    [Fact]
    public void Decide_PolledWithinSixtySeconds_IsReady() =>
        Assert.Equal(WorkQueueStatus.Ready, WorkQueueStatusRule.Decide(false, Now.AddSeconds(-60), Now));

    [Fact]
    public void Decide_PolledLongerAgo_IsNotReady() =>
        Assert.Equal(WorkQueueStatus.NotReady, WorkQueueStatusRule.Decide(false, Now.AddSeconds(-61), Now));
}
