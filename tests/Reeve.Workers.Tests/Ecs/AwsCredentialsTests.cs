using System.Text.Json.Nodes;
using Reeve.Workers.Ecs;

namespace Reeve.Workers.Tests.Ecs;

public sealed class AwsCredentialsTests
{
    [Fact]
    public void TheJobVariable_WinsOverTheEnvironment_AndNamesItsRegion()
    {
        var env = new Dictionary<string, string?> { ["AWS_ACCESS_KEY_ID"] = "AKIAENV", ["AWS_SECRET_ACCESS_KEY"] = "env", ["AWS_REGION"] = "eu-west-1" };

        var credentials = AwsCredentials.From(new JsonObject { ["aws_access_key_id"] = "AKIAPOOL", ["aws_secret_access_key"] = "pool", ["region_name"] = "us-west-2" },
            env.GetValueOrDefault, null);

        Assert.Equal(new AwsCredentials("AKIAPOOL", "pool", null, "us-west-2"), credentials);
        Assert.DoesNotContain("pool", credentials.ToString().Replace("AKIAPOOL", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutAKey_TheEnvironmentsAreTaken_ThenTheSharedFilesProfile()
    {
        var home = Directory.CreateTempSubdirectory("reeve-aws-home-").FullName;
        Directory.CreateDirectory(Path.Combine(home, ".aws"));
        File.WriteAllText(Path.Combine(home, ".aws", "credentials"),
            "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = d\n\n# work\n[work]\naws_access_key_id=AKIAWORK\naws_secret_access_key=w\naws_session_token=t\nregion = ap-south-1\n");
        var env = new Dictionary<string, string?> { ["AWS_PROFILE"] = "work" };

        Assert.Equal(new AwsCredentials("AKIAWORK", "w", "t", "ap-south-1"), AwsCredentials.From(new JsonObject(), env.GetValueOrDefault, home));
        Assert.Equal(new AwsCredentials("AKIADEFAULT", "d", null, "us-east-1"), AwsCredentials.FromEnvironment(_ => null, home));
        Assert.Equal("AKIAENV", AwsCredentials.FromEnvironment(new Dictionary<string, string?> { ["AWS_ACCESS_KEY_ID"] = "AKIAENV", ["AWS_SECRET_ACCESS_KEY"] = "s" }.GetValueOrDefault, home)!.AccessKeyId);
    }

    [Fact]
    public void NoKeyAnywhere_IsOneLineSayingWhereToPutOne()
    {
        var e = Assert.Throws<ArgumentException>(() => AwsCredentials.From(null, _ => null, null));

        Assert.StartsWith("No AWS credentials: give the pool's 'aws_credentials' an access key", e.Message, StringComparison.Ordinal);
    }
}
