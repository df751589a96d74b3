using Reeve.Core.Ids;

namespace Reeve.Core.Tests.Ids;

public sealed class SequentialGuidTests
{
    [Fact]
    public void IdsForOneTimestamp_IncreaseInTheOrderTheyWereMade_AsGuidsAndAsText()
    {
        var at = DateTimeOffset.Parse("2026-11-27T10:00:00.123Z", System.Globalization.CultureInfo.InvariantCulture);
        var ids = Enumerable.Range(0, 1000).Select(_ => SequentialGuid.Next(at)).ToList();

        Assert.Equal(ids, ids.Order());
        Assert.Equal(ids.Select(i => i.ToString().ToUpperInvariant()), ids.Select(i => i.ToString().ToUpperInvariant()).Order(StringComparer.Ordinal));
        Assert.All(ids, id => Assert.Equal(7, id.Version));
        Assert.All(ids, id => Assert.Equal(0b10, id.Variant >> 2));
    }

    [Fact]
    public void AnEarlierTimestampThanTheLast_StillGivesALargerId()
    {
        var later = SequentialGuid.Next(DateTimeOffset.UnixEpoch.AddYears(60));
        var earlier = SequentialGuid.Next(DateTimeOffset.UnixEpoch.AddYears(59));

        Assert.True(earlier.CompareTo(later) > 0);
    }

    [Fact]
    public async Task IdsMadeOnManyThreadsAtOnce_AreAllDistinct()
    {
        var at = DateTimeOffset.UnixEpoch.AddYears(70);
        var batches = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            Enumerable.Range(0, 5000).Select(_ => SequentialGuid.Next(at)).ToList())));

        Assert.Equal(40_000, batches.SelectMany(b => b).Distinct().Count());
        Assert.All(batches, batch => Assert.Equal(batch, batch.Order()));
    }
}
