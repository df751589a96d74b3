using Reeve.Core.ConcurrencyLimits;

namespace Reeve.Core.Tests.ConcurrencyLimits;

public class SlotArithmeticTests
{
    [Theory]
    [InlineData(5, 0.0, 100.0, 5)]
    [InlineData(5, 1.0, 2.5, 3)]
    [InlineData(5, 1.0, 60.0, 0)]
    [InlineData(5, 2.0, -3.0, 5)]
    [InlineData(5, 1e6, 1e12, 0)]
    public void HeldSlots_DecayAtTheLimitsRate_DownToZero(int active, double decay, double elapsed, int expected) =>
        Assert.Equal(expected, SlotArithmetic.ActiveAfterDecay(active, decay, elapsed));

    [Fact]
    public void RefusedSlots_DecayAtOnePerAverageOccupancy_WhenTheLimitHasNoDecay() =>
        Assert.Equal(2, SlotArithmetic.DeniedAfterDecay(4, 0, avgOccupancySeconds: 2.0, elapsedSeconds: 4.5));

    [Fact]
    public void AverageOccupancy_MovesTowardsWhatReleasesSay_AndNeverBelowItsFloor()
    {
        var average = 2.0;
        for (var i = 0; i < 50; i++)
        {
            average = SlotArithmetic.AverageOccupancy(average, limit: 1, slots: 1, occupancySeconds: 10);
        }

        Assert.InRange(average, 9.9, 10.0);
        Assert.Equal(SlotArithmetic.MinimumOccupancySeconds, SlotArithmetic.AverageOccupancy(0.1, 1, 1, 0.0001), 6);
    }

    [Theory]
    [InlineData(1, 0, 2, 0.0, 3.0, 1.5)]
    [InlineData(1, 3, 2, 0.0, 3.0, 6.0)]
    [InlineData(2, 2, 10, 0.5, 3.0, 8.0)]
    [InlineData(1, int.MaxValue - 1, 1, 0.0, 3.0, 3600)]
    public void ARefusal_SuggestsWaitingForTheQueuedSlotsAtTheRateTheyFree(int slots, int denied, int limit, double decay, double occupancy, double expected) =>
        Assert.Equal(expected, SlotArithmetic.RetryAfterSeconds(slots, denied, limit, decay, occupancy), 6);
}
