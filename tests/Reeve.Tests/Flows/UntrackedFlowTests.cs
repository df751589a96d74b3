using Reeve.Flows;
using Reeve.Tasks;

namespace Reeve.Tests.Flows;

public sealed class UntrackedFlowTests
{
    public UntrackedFlowTests() => ReeveSdk.UseNoServer();

    [Flow]
    private static async Task<int> AddAsync(int a, int b = 10)
    {
        await Task.Yield();
        return a + b;
    }

    private static int _attempts;

    [Flow(Retries = 2)]
    private static int Flaky()
    {
        if (Interlocked.Increment(ref _attempts) < 3)
        {
            throw new InvalidOperationException("not yet");
        }

        return 42;
    }

    [Flow(TimeoutSeconds = 1)]
    private static async Task SlowAsync(CancellationToken cancellationToken) => await Task.Delay(TimeSpan.FromMinutes(5), cancellationToken);

    [Fact]
    public async Task Flow_RunsWithNoServer_AndReturnsItsResult()
    {
        var flow = Flow.Define(AddAsync);

        Assert.False(ReeveSdk.IsTracked);
        Assert.Equal("add", flow.Name);
        Assert.Equal(15, await flow.RunAsync<int>(5));
        Assert.Equal(3, await flow.RunAsync<int>(1, 2));
    }

    [Fact]
    public async Task Flow_RetriesLocally()
    {
        _attempts = 0;
        Assert.Equal(42, await Flow.Define(Flaky).RunAsync<int>());
        Assert.Equal(3, _attempts);
    }

    [Fact]
    public async Task Flow_PastItsTimeout_ThrowsTimeout()
    {
        var error = await Assert.ThrowsAsync<TimeoutException>(() => Flow.Define(SlowAsync).RunAsync());
        Assert.Contains("exceeded timeout of 1 seconds", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Flow_WrongArgument_IsRefusedNamingTheParameter_BeforeItRuns()
    {
        var flow = Flow.Define(AddAsync);

        var error = await Assert.ThrowsAsync<FlowParameterException>(() => flow.RunAsync("five"));
        var missing = await Assert.ThrowsAsync<FlowParameterException>(() => flow.RunAsync());

        Assert.Equal("a", error.ParamName);
        Assert.Contains("expected an integer", error.Message, StringComparison.Ordinal);
        Assert.Equal("a", missing.ParamName);
    }

    [Fact]
    public async Task Tasks_RunUntrackedInsideUntrackedFlows_AndInParallel()
    {
        var square = FlowTask.Define((int x) => x * x, new FlowTaskOptions { Name = "square" });
        var flow = Flow.Define(async (int n) => (await Task.WhenAll(Enumerable.Range(1, n).Select(i => square.RunAsync<int>(i)))).Sum(),
            new FlowOptions { Name = "sum-of-squares" });

        Assert.Equal(55, await flow.RunAsync<int>(5));
    }

    [Fact]
    public void Lambda_WithoutAName_IsRefused() =>
        Assert.Throws<ArgumentException>(() => Flow.Define(() => 1));

    [Theory]
    [InlineData("GetRepoInfo", "get-repo-info")]
    [InlineData("GetRepoInfoAsync", "get-repo-info")]
    [InlineData("ParseHTTPResponse", "parse-http-response")]
    [InlineData("etl_daily", "etl-daily")]
    [InlineData("Run2Times", "run2-times")]
    public void Names_AreKebabCase(string method, string expected) => Assert.Equal(expected, Naming.Kebab(method));
}
