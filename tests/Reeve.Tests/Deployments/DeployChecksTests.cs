using Reeve.Core.WorkPools;
using Reeve.Deployments;
using Reeve.Flows;

namespace Reeve.Tests.Deployments;

/// <summary>
/// What <c>DeployAsync</c> checks before anything is stored or built, each refusal one line: the pool is there, and a
/// git source can be read (a real repository on this machine, read through <c>file://</c>).
/// </summary>
public sealed class DeployChecksTests : IClassFixture<SdkServerFixture>, IDisposable
{
    private readonly SdkServerFixture _fixture;
    private readonly string _root = Directory.CreateTempSubdirectory("reeve-deploy-checks-").FullName;

    public DeployChecksTests(SdkServerFixture fixture)
    {
        _fixture = fixture;
        fixture.Use();
    }

    private RunningServer Server => _fixture.Server;

    [Flow]
    private static void Tidy() { }

    private async Task<string> PoolAsync()
    {
        var pool = Names.Unique("checked-pool");
        await Server.Client.CreateWorkPoolAsync(new WorkPoolCreate { Name = pool, Type = "process" });
        return pool;
    }

    private string Repository()
    {
        var folder = Path.Combine(_root, "repo");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "Flows.csproj"), "<Project />");
        Git(folder, "init", "--quiet", "--initial-branch", "main");
        Git(folder, "add", ".");
        Git(folder, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "--quiet", "-m", "flows");
        return new Uri(folder).AbsoluteUri;
    }

    [Fact]
    public async Task ToAPoolThatIsNotThere_FailsInOneLine_NamingIt()
    {
        var error = await Assert.ThrowsAsync<DeploymentException>(() =>
            Flow.Define(Tidy).DeployAsync("tidy", "no-such-pool", new DeployOptions { Output = TextWriter.Null }));

        Assert.Equal("Work pool 'no-such-pool' does not exist. Create it first ('reeve work-pool create no-such-pool --type process') or start a worker for it.", error.Message);
    }

    [Fact]
    public async Task FromARepositoryThatIsNotThere_FailsInOneLine_AndStoresNothing()
    {
        var pool = await PoolAsync();
        var missing = new Uri(Path.Combine(_root, "nowhere")).AbsoluteUri;
        var name = Names.Unique("tidy");

        var error = await Assert.ThrowsAsync<DeploymentSourceException>(() =>
            Flow.Define(Tidy).FromSource(missing, "Flows.csproj:Flows.Tidy").DeployAsync(name, pool, new DeployOptions { Output = TextWriter.Null }));

        Assert.StartsWith($"The git source '{missing}' cannot be read: fatal:", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Empty(await Server.Client.FilterDeploymentsAsync(new Core.Deployments.DeploymentFilterRequest { Deployments = new() { Name = new() { Any = [name] } } }));
    }

    [Fact]
    public async Task FromABranchThatIsNotThere_FailsInOneLine_WhileTheRightOneDeploys()
    {
        var pool = await PoolAsync();
        var repository = Repository();

        var error = await Assert.ThrowsAsync<DeploymentSourceException>(() =>
            Flow.Define(Tidy).FromSource(repository, "Flows.csproj:Flows.Tidy", branch: "no-such-branch").DeployAsync("tidy", pool, new DeployOptions { Output = TextWriter.Null }));
        var deployed = await Flow.Define(Tidy).FromSource(repository, "Flows.csproj:Flows.Tidy", branch: "main")
            .DeployAsync(Names.Unique("tidy"), pool, new DeployOptions { Output = TextWriter.Null });

        Assert.Equal($"The git source '{repository}' has no branch or tag 'no-such-branch'.", error.Message);
        Assert.Equal(pool, deployed.WorkPoolName);
    }

    [Fact]
    public async Task DeployingADeploymentThatWasServed_MovesItToThePool_ResumesIt_AndSaysSo()
    {
        var pool = await PoolAsync();
        var name = Names.Unique("was-served");
        var flowId = (await Server.Client.CreateFlowAsync(new Core.Flows.FlowCreate { Name = "tidy" })).Id;

        // As a serving process leaves its deployment when it stops: no pool, paused.
        await Server.Client.CreateDeploymentAsync(new Core.Deployments.DeploymentCreate { Name = name, FlowId = flowId, Paused = true });
        using var output = new StringWriter();

        var deployed = await Flow.Define(Tidy).DeployAsync(name, pool, new DeployOptions { Output = output });

        Assert.False(deployed.Paused);
        Assert.Equal(pool, deployed.WorkPoolName);
        Assert.Contains($"updated: moved from being served to pool '{pool}'; resumed (it was paused)", output.ToString(), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static void Git(string folder, params string[] args)
    {
        using var git = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("git", args) { WorkingDirectory = folder, RedirectStandardError = true })!;
        git.WaitForExit();
        Assert.Equal(0, git.ExitCode);
    }
}
