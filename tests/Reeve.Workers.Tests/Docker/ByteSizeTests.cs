using Reeve.Workers.Docker;

namespace Reeve.Workers.Tests.Docker;

public sealed class ByteSizeTests
{
    [Theory]
    [InlineData("1024", 1024L)]
    [InlineData("100b", 100L)]
    [InlineData("64k", 64L * 1024)]
    [InlineData("512m", 512L * 1024 * 1024)]
    [InlineData("512MB", 512L * 1024 * 1024)]
    [InlineData("2g", 2L * 1024 * 1024 * 1024)]
    [InlineData("1.5g", 3L * 512 * 1024 * 1024)]
    [InlineData("-1", -1L)]
    public void Parse_DockersUnits(string text, long bytes) => Assert.Equal(bytes, ByteSize.Parse(text, "mem_limit"));

    [Theory]
    [InlineData("lots")]
    [InlineData("12x")]
    [InlineData("0")]
    [InlineData("")]
    public void Parse_NotASize_NamesTheFieldAndTheValue(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => ByteSize.Parse(text, "mem_limit"));

        Assert.Contains($"mem_limit '{text}' is not a size", error.Message, StringComparison.Ordinal);
    }
}
