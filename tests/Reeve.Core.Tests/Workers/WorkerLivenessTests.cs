using Reeve.Core.Workers;

namespace Reeve.Core.Tests.Workers;

public class WorkerLivenessTests
{
    private static readonly DateTimeOffset Beat = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void OnlineUntil_IsThreeIntervalsAfterTheHeartbeat() =>
        Assert.Equal(Beat.AddSeconds(15), WorkerLiveness.OnlineUntil(Beat, 5));

    [Fact]
    public void OnlineUntil_WithoutInterval_AssumesThirtySeconds() =>
        Assert.Equal(Beat.AddSeconds(90), WorkerLiveness.OnlineUntil(Beat, null));

    [Fact]
    public void StatusAt_BeforeTheDeadline_IsOnline() =>
        Assert.Equal(WorkerStatus.Online, WorkerLiveness.StatusAt(Beat.AddSeconds(15), Beat.AddSeconds(14)));

    [Fact]
    public void StatusAt_AtTheDeadline_IsOffline() =>
        Assert.Equal(WorkerStatus.Offline, WorkerLiveness.StatusAt(Beat.AddSeconds(15), Beat.AddSeconds(15)));
}
