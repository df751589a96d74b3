using Reeve.Client;

namespace Reeve.Client.Tests;

public sealed class ReeveSettingsTests : IDisposable
{
    private readonly string _home = Path.Combine(Path.GetTempPath(), "reeve-settings-tests", Guid.NewGuid().ToString("N"));

    private Func<string, string?> Environment(params (string Key, string Value)[] values)
    {
        var map = values.ToDictionary(v => v.Key, v => v.Value);
        map["REEVE_HOME"] = _home;
        return key => map.GetValueOrDefault(key);
    }

    [Fact]
    public void Load_NothingSet_UsesTheLocalDefault()
    {
        var settings = ReeveSettings.Load(Environment());

        Assert.Equal("http://127.0.0.1:4200/api", settings.ApiUrl);
        Assert.Null(settings.ApiKey);
        Assert.Equal("default", settings.Sources[ReeveSettings.ApiUrlKey]);
    }

    [Fact]
    public void Load_ProfileThenEnvironment_EnvironmentWins()
    {
        ReeveSettings.WriteProfile(ReeveSettings.ProfilePath(_home), new Dictionary<string, string>
        {
            [ReeveSettings.ApiUrlKey] = "http://profile:1/api",
            [ReeveSettings.ApiKeyKey] = "profile-key",
        });

        var fromProfile = ReeveSettings.Load(Environment());
        var fromEnvironment = ReeveSettings.Load(Environment((ReeveSettings.ApiUrlKey, "http://env:2/api")));

        Assert.Equal(("http://profile:1/api", "profile-key", "profile"), (fromProfile.ApiUrl, fromProfile.ApiKey, fromProfile.Sources[ReeveSettings.ApiUrlKey]));
        Assert.Equal(("http://env:2/api", "profile-key", "environment"), (fromEnvironment.ApiUrl, fromEnvironment.ApiKey, fromEnvironment.Sources[ReeveSettings.ApiUrlKey]));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void WriteProfile_IsReadableByItsOwnerOnly()
    {
        var path = ReeveSettings.ProfilePath(_home);
        ReeveSettings.WriteProfile(path, new Dictionary<string, string> { [ReeveSettings.ApiKeyKey] = "k" });

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal("k", ReeveSettings.ReadProfile(path)[ReeveSettings.ApiKeyKey]);
    }

    [Fact]
    public void ReadProfile_Corrupt_SaysWhichFile()
    {
        var path = ReeveSettings.ProfilePath(_home);
        Directory.CreateDirectory(_home);
        File.WriteAllText(path, "{ not json");

        var error = Assert.Throws<InvalidDataException>(() => ReeveSettings.ReadProfile(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HomeFolder_DefaultsToDotReeveInTheUsersHome() =>
        Assert.EndsWith(".reeve", ReeveSettings.HomeFolder(_ => null), StringComparison.Ordinal);

    public void Dispose()
    {
        if (Directory.Exists(_home))
        {
            Directory.Delete(_home, recursive: true);
        }
    }
}
