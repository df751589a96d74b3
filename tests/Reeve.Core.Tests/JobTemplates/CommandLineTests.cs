using Reeve.Core.JobTemplates;

namespace Reeve.Core.Tests.JobTemplates;

public class CommandLineTests
{
    [Theory]
    [InlineData("dotnet run", new[] { "dotnet", "run" })]
    [InlineData("  python   -m  app  ", new[] { "python", "-m", "app" })]
    [InlineData("echo 'a b' \"c d\"", new[] { "echo", "a b", "c d" })]
    [InlineData("echo \"say \\\"hi\\\"\" it\\'s", new[] { "echo", "say \"hi\"", "it's" })]
    [InlineData("echo ''", new[] { "echo", "" })]
    [InlineData("echo a'b'\"c\"", new[] { "echo", "abc" })]
    [InlineData("echo '$HOME' $(rm -rf x)", new[] { "echo", "$HOME", "$(rm", "-rf", "x)" })]
    public void Split_SplitsAsAShellWould_WithoutRunningOne(string command, string[] expected) =>
        Assert.Equal(expected, CommandLine.Split(command));

    [Theory]
    [InlineData("echo 'open")]
    [InlineData("echo \"open")]
    public void Split_UnclosedQuotes_AreRefused(string command) =>
        Assert.Contains("unclosed", Assert.Throws<FormatException>(() => CommandLine.Split(command)).Message, StringComparison.Ordinal);
}
