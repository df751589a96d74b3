using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Docker.DotNet;
using Docker.DotNet.Models;
using Reeve.Workers.Docker;

namespace Reeve.Tests.Workers;

/// <summary>
/// The registry login of <c>reeve work-pool create --type docker:push --provision-infra --registry-username</c>, on a
/// real registry that asks for one (Debian's docker-registry with an htpasswd file, started here on loopback): a wrong
/// password is refused in one line before anything is made; the right one is checked by the engine and kept as
/// <c>docker login</c> keeps it, and the push of <c>reeve deploy --image</c> (<see cref="DockerEngine.PushAsync"/>)
/// gets through with it, where a push without it is refused.
/// </summary>
public sealed class RegistryLoginTests(DockerFixture fixture) : IClassFixture<DockerFixture>, IAsyncLifetime
{
    private const string User = "ci";
    private readonly string _password = "pw-" + Guid.NewGuid().ToString("N");
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "reeve-auth-registry", Guid.NewGuid().ToString("N"));
    private string _registry = null!;

    public async ValueTask InitializeAsync()
    {
        TestEnvironment.RequireDocker();
        Directory.CreateDirectory(_folder);
        var htpasswd = Path.Combine(_folder, "htpasswd");
        await File.WriteAllTextAsync(htpasswd, $"{User}:{BCrypt.Net.BCrypt.HashPassword(_password, workFactor: 5)}\n");
        var (exit, output) = await ExternalProcess.RunAsync(Script("start-registry.sh"), [Path.Combine(_folder, "registry"), FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture), htpasswd],
            TimeSpan.FromMinutes(2));
        Assert.True(exit == 0, output);
        _registry = output.Trim().Split('\n')[^1].Trim();
    }

    public async ValueTask DisposeAsync()
    {
        if (_registry is not null)
        {
            await ExternalProcess.RunAsync(Script("stop-registry.sh"), [Path.Combine(_folder, "registry")], TimeSpan.FromMinutes(1));
        }
    }

    [Fact]
    public async Task AWrongPassword_IsRefusedInOneLine_AndTheRightOne_IsKeptForThePush()
    {
        var pool = Names.Unique("docker-login");
        var cli = fixture.Cli();
        var config = Path.Combine(cli.Home, "docker", "config.json");
        cli.Environment["REEVE_REGISTRY_PASSWORD"] = "not-the-password";

        var refused = await cli.RunAsync("work-pool", "create", pool, "--type", "docker:push", "--provision-infra", "--yes",
            "--registry", $"{_registry}/team", "--registry-username", User);

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"The registry at {_registry} refused the login of '{User}'", refused.Error, StringComparison.Ordinal);
        Assert.Single(refused.Error.Trim().Split('\n'));
        Assert.False(File.Exists(config));
        Assert.DoesNotContain($"{pool}-registry", (await fixture.Server.Http.PostJsonAsync("credentials/filter", "{}")).Text, StringComparison.Ordinal);

        cli.Environment["REEVE_REGISTRY_PASSWORD"] = _password;
        var created = await cli.RunAsync("work-pool", "create", pool, "--type", "docker:push", "--provision-infra", "--yes",
            "--registry", $"{_registry}/team", "--registry-username", User);

        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Contains($"Logged in to {_registry} as {User}", created.Out, StringComparison.Ordinal);
        var kept = JsonNode.Parse(await File.ReadAllTextAsync(config))!["auths"]![_registry]!["auth"]!.GetValue<string>();
        Assert.Equal($"{User}:{_password}", Encoding.UTF8.GetString(Convert.FromBase64String(kept)));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(config));
        }

        // The push reeve deploy --image makes: refused without the login, through with it.
        using var docker = DockerEngine.Connect(TestEnvironment.DockerHost);
        var image = ImageName.Parse($"{_registry}/team/base:{Guid.NewGuid().ToString("N")[..8]}");
        var source = ImageName.Parse(TestEnvironment.DockerBaseImage!);
        await docker.Images.TagImageAsync(source.ToString(), new ImageTagParameters { RepositoryName = image.FullRepository, Tag = image.Tag });
        var anonymous = await Assert.ThrowsAnyAsync<Exception>(() => DockerEngine.PushAsync(docker, image, null, CancellationToken.None, Path.Combine(_folder, "none.json")));
        Assert.Contains("no basic auth credentials", anonymous.Message + anonymous.InnerException?.Message, StringComparison.OrdinalIgnoreCase);
        await DockerEngine.PushAsync(docker, image, null, CancellationToken.None, config);
        await docker.Images.DeleteImageAsync(image.ToString(), new ImageDeleteParameters { Force = true });
    }

    private static string Script(string name) => Path.Combine(KubernetesFixture.RepositoryRoot(), "eng", "docker", name);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
