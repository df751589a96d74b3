namespace Reeve.Tests;

/// <summary>A real server for the SDK's tests, and the SDK pointed at it.</summary>
public sealed class SdkServerFixture : IAsyncLifetime
{
    public RunningServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Server = await RunningServer.StartAsync(TestStorage.Sqlite, realClock: true);
    }

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();

    /// <summary>Points the SDK at this server (each test class does, as the setting is process-wide).</summary>
    public void Use() => ReeveSdk.UseServer(Server.ApiUrl);
}
