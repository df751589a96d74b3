using Reeve.Flows;

namespace Reeve.Tests.Flows;

/// <summary>Variables from C#: a flow reads them as typed values; set, overwrite and unset as Prefect's <c>Variable</c> does.</summary>
public sealed class VariablesTests : IClassFixture<SdkServerFixture>
{
    private readonly SdkServerFixture _fixture;

    public VariablesTests(SdkServerFixture fixture)
    {
        _fixture = fixture;
        fixture.Use();
    }

    public sealed record Limits(int Retries, List<string> Regions);

    [Fact]
    public async Task AFlow_ReadsAVariableAsARecord_AndTheDefaultOfOneThatDoesNotExist()
    {
        var name = "limits_" + Guid.NewGuid().ToString("N")[..8];
        await Variables.SetAsync(name, new Limits(3, ["eu", "us"]), tags: ["ops"]);

        var flow = Flow.Define(async (string variable) =>
            $"{(await Variables.GetAsync<Limits>(variable))!.Retries} {await Variables.GetAsync("no_such_variable", "fallback")}",
            new FlowOptions { Name = Names.Unique("reads-variables") });
        var result = await flow.RunAsync<string>(name);

        Assert.Equal("3 fallback", result);
        var stored = await _fixture.Server.Client.ReadVariableByNameAsync(name);
        Assert.Equal("ops", Assert.Single(stored.Tags));
    }

    [Fact]
    public async Task SettingAnExistingVariable_NeedsOverwrite_AndUnsetSaysWhetherThereWasOne()
    {
        var name = "setting_" + Guid.NewGuid().ToString("N")[..8];
        await Variables.SetAsync(name, 1);

        await Assert.ThrowsAsync<InvalidOperationException>(() => Variables.SetAsync(name, 2));
        await Variables.SetAsync(name, 2, overwrite: true);

        Assert.Equal(2, await Variables.GetAsync<int>(name));
        Assert.True(await Variables.UnsetAsync(name));
        Assert.False(await Variables.UnsetAsync(name));
        Assert.Equal(7, await Variables.GetAsync(name, 7));
    }
}
