using Reeve.Core.ConcurrencyLimits;

namespace Reeve.Tests.Flows;

/// <summary>Global concurrency and rate limits from C#: a holder waits while the slots are taken and gets them when given back.</summary>
public sealed class ConcurrencyTests : IClassFixture<SdkServerFixture>
{
    private readonly SdkServerFixture _fixture;

    public ConcurrencyTests(SdkServerFixture fixture)
    {
        _fixture = fixture;
        fixture.Use();
    }

    private async Task<string> LimitAsync(int limit, double decay = 0)
    {
        var name = Names.Unique("warehouse");
        await _fixture.Server.Client.CreateGlobalConcurrencyLimitAsync(new GlobalConcurrencyLimitCreate { Name = name, Limit = limit, SlotDecayPerSecond = decay });
        return name;
    }

    [Fact]
    public async Task ASecondHolder_WaitsWhileTheSlotIsTaken_AndGetsItOnceItIsGivenBack()
    {
        var name = await LimitAsync(1);
        var first = await Concurrency.AcquireAsync(name);

        var second = Concurrency.AcquireAsync(name, timeout: TimeSpan.FromSeconds(60));
        while ((await _fixture.Server.Client.ReadGlobalConcurrencyLimitAsync(name)).DeniedSlots == 0)
        {
            // Refused at least once: the server counts it. No event for a refusal, so read again shortly.
            await Task.Delay(20);
        }

        Assert.False(second.IsCompleted);
        await first.DisposeAsync();
        await using var lease = await second.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal([name], lease.Names);
        Assert.Equal(1, (await _fixture.Server.Client.ReadGlobalConcurrencyLimitAsync(name)).ActiveSlots);
    }

    [Fact]
    public async Task AHolderThatCannotGetTheSlotInTime_GetsATimeout_AndHoldsNothing()
    {
        var name = await LimitAsync(1);
        await using var held = await Concurrency.AcquireAsync(name);

        await Assert.ThrowsAsync<TimeoutException>(() => Concurrency.AcquireAsync(name, timeout: TimeSpan.FromMilliseconds(300)));

        Assert.Equal(1, (await _fixture.Server.Client.ReadGlobalConcurrencyLimitAsync(name)).ActiveSlots);
    }

    [Fact]
    public async Task ARateLimit_LetsThroughAsManyAsItsLimit_ThenOneMoreOnceASlotHasDecayed()
    {
        var name = await LimitAsync(2, decay: 0.5);

        await Concurrency.RateLimitAsync(name);
        await Concurrency.RateLimitAsync(name);
        var full = await _fixture.Server.Client.IncrementSlotsAsync(new SlotsIncrement { Names = [name], Slots = 1, Mode = "rate_limit" });
        Assert.Null(full.Granted);
        Assert.True(full.RetryAfter > TimeSpan.Zero);

        await Concurrency.RateLimitAsync(name, timeout: TimeSpan.FromSeconds(30)).WaitAsync(TimeSpan.FromSeconds(30));
    }
}
