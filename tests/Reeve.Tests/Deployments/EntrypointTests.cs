using Reeve.Deployments;

namespace Reeve.Tests.Deployments;

public sealed class EntrypointTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("reeve-entrypoint-").FullName;

    public EntrypointTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "src"));
        File.WriteAllText(Path.Combine(_root, "src", "App.csproj"), "<Project />");
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(_root)!, "outside.cs"), "// outside");
    }

    [Theory]
    [InlineData("src/App.csproj:App.Flows.Run", "src/App.csproj", "App.Flows.Run", "Project")]
    [InlineData("flows.cs:Run", "flows.cs", "Run", "File")]
    [InlineData("bin/App.dll:App.Flows.Run", "bin/App.dll", "App.Flows.Run", "Assembly")]
    public void Parse_ReadsPathTargetAndKind(string text, string path, string target, string kind) =>
        Assert.Equal(new Entrypoint(path, target, Enum.Parse<EntrypointKind>(kind)), Entrypoint.Parse(text));

    [Theory]
    [InlineData("App.csproj", "PATH:TARGET")]
    [InlineData("App.csproj:", "PATH:TARGET")]
    [InlineData("app.py:main", "must be a .cs file, a .csproj project or a .dll assembly")]
    [InlineData("App.csproj:Run", "Namespace.Type.Method")]
    public void Parse_RefusesWhatIsNotAnEntrypoint(string text, string expected) =>
        Assert.Contains(expected, Assert.Throws<DeploymentSourceException>(() => Entrypoint.Parse(text)).Message, StringComparison.Ordinal);

    [Fact]
    public void Resolve_FindsTheFileInsideTheSource() =>
        Assert.Equal(Path.Combine(_root, "src", "App.csproj"), Entrypoint.Parse("src/App.csproj:App.Flows.Run").Resolve(_root));

    [Theory]
    [InlineData("../outside.cs:Run", "leaves the flow's source folder")]
    [InlineData("src/../../outside.cs:Run", "leaves the flow's source folder")]
    [InlineData("/etc/passwd.cs:Run", "is absolute")]
    [InlineData("missing.cs:Run", "does not exist")]
    public void Resolve_RefusesPathsThatLeaveTheSource_OrAreMissing(string text, string expected) =>
        Assert.Contains(expected, Assert.Throws<DeploymentSourceException>(() => Entrypoint.Parse(text).Resolve(_root)).Message, StringComparison.Ordinal);

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        File.Delete(Path.Combine(Path.GetDirectoryName(_root)!, "outside.cs"));
    }
}
