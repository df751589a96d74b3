using Xunit;

namespace Reeve.Testing;

public static class CliAssert
{
    /// <summary>The command failed with one line on standard error that contains <paramref name="expected"/>.</summary>
    public static void FailsWithOneLine(CliResult result, string expected, int exitCode = 1)
    {
        Assert.True(result.ExitCode == exitCode, $"Expected exit {exitCode}.\n{result}");
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, $"Expected one line on stderr.\n{result}");
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    public static void Succeeds(CliResult result)
    {
        Assert.True(result.ExitCode == 0, $"Expected success.\n{result}");
        Assert.True(result.Error.Length == 0, $"Expected nothing on stderr.\n{result}");
    }

    /// <summary>Standard output holds <paramref name="expected"/>; the whole output is shown when it does not.</summary>
    public static void OutContains(CliResult result, string expected) =>
        Assert.True(result.Out.Contains(expected, StringComparison.Ordinal), $"Expected '{expected}' in the output.\n{result}");
}
