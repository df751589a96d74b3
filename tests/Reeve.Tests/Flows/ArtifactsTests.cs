using Reeve.Core.Artifacts;
using Reeve.Flows;

namespace Reeve.Tests.Flows;

/// <summary>Artifacts from C#: a flow's Markdown, table and link artifacts are attached to its run.</summary>
public sealed class ArtifactsTests : IClassFixture<SdkServerFixture>
{
    private readonly SdkServerFixture _fixture;

    public ArtifactsTests(SdkServerFixture fixture)
    {
        _fixture = fixture;
        fixture.Use();
    }

    public sealed record Row(string Region, int Orders);

    [Fact]
    public async Task AFlowsArtifacts_AreAttachedToItsRun_AndTheLatestIsReadByKey()
    {
        var key = "orders-" + Guid.NewGuid().ToString("N")[..8];
        Guid? runId = null;
        var flow = Flow.Define(async () =>
        {
            runId = FlowRunContext.Current!.FlowRunId;
            await Artifacts.CreateMarkdownAsync("# Orders\nAll good.", key: key, description: "daily");
            await Artifacts.CreateTableAsync([new Row("eu", 3), new Row("us", 5)]);
            await Artifacts.CreateLinkAsync(new Uri("https://example.com/report"), "the report");
        }, new FlowOptions { Name = Names.Unique("makes-artifacts") });

        await flow.RunAsync();

        var made = await _fixture.Server.Client.FilterArtifactsAsync(new ArtifactFilterRequest
        {
            Artifacts = new ArtifactFilter { FlowRunId = new() { Any = [runId!.Value] } },
        });
        Assert.Equal(["link", "table", "markdown"], made.Select(a => a.Type));
        Assert.Equal("""[{"region":"eu","orders":3},{"region":"us","orders":5}]""", made[1].Data!.GetValue<string>());
        Assert.Equal("[the report](https://example.com/report)", made[0].Data!.GetValue<string>());
        Assert.Equal("# Orders\nAll good.", (await _fixture.Server.Client.ReadLatestArtifactAsync(key)).Data!.GetValue<string>());
    }
}
