using System.Text;
using System.Text.Json.Nodes;
using Reeve.Workers.Docker;

namespace Reeve.Workers.Tests.Docker;

/// <summary>
/// Where a registry login is read and kept: Docker's config file, or the credential helper it names. The helper here is
/// a real program on a PATH of the test's own (a shell script speaking Docker's helper protocol, keeping its logins in
/// a file beside it), as <c>docker-credential-pass</c> or <c>-desktop</c> would be on a user's machine.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class RegistryLoginsTests
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reeve-registry-logins-").FullName;

    private string Config => Path.Combine(_folder, "config.json");

    private Func<string, string?> Environment => name => name == "PATH" ? Path.Combine(_folder, "bin") : null;

    /// <summary>Writes the helper <c>docker-credential-NAME</c>: it stores the last login given, and answers <c>get</c> for its registry only.</summary>
    private string Helper(string name)
    {
        var bin = Directory.CreateDirectory(Path.Combine(_folder, "bin")).FullName;
        var path = Path.Combine(bin, $"docker-credential-{name}");
        File.WriteAllText(path, $$"""
            #!/bin/sh
            kept="{{bin}}/{{name}}.json"
            case "$1" in
              store) cat > "$kept" ;;
              get)
                read -r registry
                if [ -f "$kept" ] && grep -q "\"ServerURL\":\"$registry\"" "$kept"; then cat "$kept"; else echo "credentials not found in native keychain"; exit 1; fi ;;
              *) echo "unknown verb $1" >&2; exit 2 ;;
            esac
            """.Replace("\r", "", StringComparison.Ordinal));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return Path.Combine(bin, $"{name}.json");
    }

    [Fact]
    public async Task KeptBy_NamesARegistrysOwnHelper_TheConfig_OrAStoreOnlyWhenItHasTheLogin()
    {
        Helper("vault");
        Assert.Null(RegistryLogins.KeptBy("europe-west1-docker.pkg.dev", Config, Environment));
        await File.WriteAllTextAsync(Config, """
            {"credsStore": "vault", "credHelpers": {"europe-west1-docker.pkg.dev": "gcloud"}, "auths": {"in-config.example": {"auth": "dTpw"}, "emptied.example": {}}}
            """);

        Assert.Equal("gcloud", RegistryLogins.KeptBy("europe-west1-docker.pkg.dev", Config, Environment));
        Assert.Equal("auths", RegistryLogins.KeptBy("in-config.example", Config, Environment));
        Assert.Null(RegistryLogins.KeptBy("emptied.example", Config, Environment));

        await RegistryLogins.KeepAsync("emptied.example", "ci", "secret", Config, Environment, CancellationToken.None);
        Assert.Equal("vault", RegistryLogins.KeptBy("emptied.example", Config, Environment));
    }

    [Fact]
    public async Task WithACredsStore_TheLoginIsKeptByTheHelper_NotInTheConfig_AndReadBackFromIt()
    {
        var kept = Helper("vault");
        await File.WriteAllTextAsync(Config, """{"credsStore": "vault", "auths": {"other.example:5000": {"auth": "dTpw"}}}""");

        await RegistryLogins.KeepAsync("127.0.0.1:5000", "ci", "p@ss-never-in-config", Config, Environment, CancellationToken.None);
        var login = RegistryLogins.For("127.0.0.1:5000", Config, Environment);

        Assert.Equal(("ci", "p@ss-never-in-config"), (login!.Username, login.Password));
        var config = await File.ReadAllTextAsync(Config);
        Assert.DoesNotContain("p@ss-never-in-config", config, StringComparison.Ordinal);
        Assert.Empty(JsonNode.Parse(config)!["auths"]!["127.0.0.1:5000"]!.AsObject());
        Assert.NotNull(JsonNode.Parse(config)!["auths"]!["other.example:5000"]);
        Assert.Contains("p@ss-never-in-config", await File.ReadAllTextAsync(kept), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARegistrysOwnHelper_WinsOverTheStore_AndOneThatKeepsNothing_FallsBackToTheConfig()
    {
        Helper("own");
        Helper("everyone");
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes("filed:from-config"));
        await File.WriteAllTextAsync(Config, $$"""
            {"credsStore": "everyone", "credHelpers": {"registry.one:5000": "own"}, "auths": {"registry.two:5000": {"auth": "{{encoded}}"} } }
            """);

        await RegistryLogins.KeepAsync("registry.one:5000", "mine", "own-secret", Config, Environment, CancellationToken.None);

        Assert.Equal("own-secret", RegistryLogins.For("registry.one:5000", Config, Environment)!.Password);
        Assert.False(File.Exists(Path.Combine(_folder, "bin", "everyone.json")));
        Assert.Equal(("filed", "from-config"), (RegistryLogins.For("registry.two:5000", Config, Environment) is { } two ? (two.Username, two.Password) : default));
        Assert.Null(RegistryLogins.For("registry.three:5000", Config, Environment));
    }

    [Fact]
    public async Task AnIdentityToken_FromAHelper_IsSentAsOne()
    {
        var kept = Helper("tokens");
        await File.WriteAllTextAsync(Config, """{"credsStore": "tokens"}""");
        await File.WriteAllTextAsync(kept, """{"ServerURL":"127.0.0.1:5000","Username":"<token>","Secret":"refresh-token"}""");

        var login = RegistryLogins.For("127.0.0.1:5000", Config, Environment)!;

        Assert.Equal("refresh-token", login.IdentityToken);
        Assert.Null(login.Username);
    }

    [Fact]
    public async Task AHelperNotOnThePath_IsAOneLineError_NamingIt()
    {
        await File.WriteAllTextAsync(Config, """{"credsStore": "desktop"}""");

        var read = Assert.Throws<InvalidOperationException>(() => RegistryLogins.For("127.0.0.1:5000", Config, Environment));
        var kept = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            RegistryLogins.KeepAsync("127.0.0.1:5000", "ci", "secret", Config, Environment, CancellationToken.None));

        Assert.Equal("Docker's config names the credential helper 'desktop', but docker-credential-desktop is not on the PATH.", read.Message);
        Assert.Equal(read.Message, kept.Message);
        Assert.DoesNotContain("secret", await File.ReadAllTextAsync(Config), StringComparison.Ordinal);
    }
}
