using System.Text.Json;
using Reeve.Core.Json;
using Reeve.Core.WorkPools;

namespace Reeve.Core.Tests.Json;

public class OptionalTests
{
    [Fact]
    public void Read_AbsentField_IsUnset()
    {
        var update = JsonSerializer.Deserialize<WorkPoolUpdate>("""{"is_paused": true}""", ReeveJson.Strict)!;
        Assert.True(update.IsPaused.IsSet);
        Assert.False(update.ConcurrencyLimit.IsSet);
    }

    [Fact]
    public void Read_NullField_IsSetToNull()
    {
        var update = JsonSerializer.Deserialize<WorkPoolUpdate>("""{"concurrency_limit": null}""", ReeveJson.Strict)!;
        Assert.True(update.ConcurrencyLimit.IsSet);
        Assert.Null(update.ConcurrencyLimit.Value);
    }

    [Fact]
    public void Write_SkipsUnsetFieldsAndKeepsNulls()
    {
        var json = JsonSerializer.Serialize(new WorkPoolUpdate { ConcurrencyLimit = new int?() }, ReeveJson.Default);
        Assert.Equal("""{"concurrency_limit":null}""", json);
    }

    [Fact]
    public void Strict_UnknownField_IsRefused() =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<WorkPoolUpdate>("""{"nme": "x"}""", ReeveJson.Strict));
}
