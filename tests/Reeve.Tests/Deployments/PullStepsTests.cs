using System.Text.Json.Nodes;
using Reeve.Deployments;

namespace Reeve.Tests.Deployments;

/// <summary>
/// A deployment's pull steps against a real git repository: after a clone, <c>set_working_directory</c> stays inside
/// the clone (no absolute folder, no <c>..</c>, no symbolic link out of it), and no branch or commit reads as an option.
/// </summary>
public sealed class PullStepsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("reeve-pull-steps-").FullName;
    private readonly string _repository;

    public PullStepsTests()
    {
        _repository = Path.Combine(_root, "repo");
        Directory.CreateDirectory(Path.Combine(_repository, "flows"));
        File.WriteAllText(Path.Combine(_repository, "flows", "Flows.csproj"), "<Project />");
        File.CreateSymbolicLink(Path.Combine(_repository, "outside"), _root);
        Git("init", "--quiet", "--initial-branch", "main");
        Git("add", ".");
        Git("-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "--quiet", "-m", "flows");
        Directory.CreateDirectory(Path.Combine(_root, "work"));
    }

    private JsonArray Steps(string directory, string? branch = null)
    {
        var clone = new JsonObject { ["repository"] = new Uri(_repository).AbsoluteUri };
        if (branch is not null)
        {
            clone["branch"] = branch;
        }

        return [new JsonObject { ["prefect.deployments.steps.git_clone"] = clone }, new JsonObject { ["reeve.deployments.steps.set_working_directory"] = new JsonObject { ["directory"] = directory } }];
    }

    [Fact]
    public async Task SetWorkingDirectory_AfterAClone_MovesWithinIt()
    {
        var result = await PullSteps.RunAsync(Steps("flows"), Path.Combine(_root, "work"), CancellationToken.None);

        Assert.Equal(Path.Combine(_root, "work", "repo", "flows"), result.Folder);
        Assert.NotNull(result.Commit);
    }

    [Theory]
    [InlineData("/etc")]
    [InlineData("..")]
    [InlineData("flows/../../..")]
    [InlineData("outside")]
    [InlineData("outside/work")]
    public async Task SetWorkingDirectory_AfterAClone_RefusesAFolderOutsideIt(string directory)
    {
        var error = await Assert.ThrowsAsync<DeploymentSourceException>(() => PullSteps.RunAsync(Steps(directory), Path.Combine(_root, "work"), CancellationToken.None));

        Assert.Contains("inside the cloned repository", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABranchThatReadsAsAnOption_IsRefused_AndRunsNothing()
    {
        var marker = Path.Combine(_root, "ran");
        var error = await Assert.ThrowsAsync<DeploymentSourceException>(() =>
            PullSteps.RunAsync(Steps("flows", branch: $"--upload-pack=touch {marker}"), Path.Combine(_root, "work"), CancellationToken.None));

        Assert.Contains("option of git", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Git(params string[] args)
    {
        using var git = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("git", args) { WorkingDirectory = _repository, RedirectStandardError = true })!;
        git.WaitForExit();
        Assert.Equal(0, git.ExitCode);
    }
}
