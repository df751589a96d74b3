using Reeve.Core.WorkPools;

namespace Reeve.Core.Tests.WorkPools;

public class WorkPoolStatusRuleTests
{
    [Theory]
    [InlineData(false, false, WorkPoolStatus.NotReady)]
    [InlineData(false, true, WorkPoolStatus.Ready)]
    [InlineData(true, false, WorkPoolStatus.Paused)]
    [InlineData(true, true, WorkPoolStatus.Paused)]
    public void Decide_FollowsPauseThenOnlineWorkers(bool paused, bool online, WorkPoolStatus expected) =>
        Assert.Equal(expected, WorkPoolStatusRule.Decide(paused, online));
}
