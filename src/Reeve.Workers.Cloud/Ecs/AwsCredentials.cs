using System.Text.Json.Nodes;
using Reeve.Core.JobTemplates;

namespace Reeve.Workers.Ecs;

/// <summary>An AWS access key (and session token, for temporary credentials), with the region its calls go to.</summary>
/// <param name="AccessKeyId">The access key's id.</param>
/// <param name="SecretAccessKey">The secret access key.</param>
/// <param name="SessionToken">The session token of temporary credentials, or null.</param>
/// <param name="Region">The region.</param>
public sealed record AwsCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken, string Region)
{
    /// <summary>The region when none is named anywhere.</summary>
    public const string DefaultRegion = "us-east-1";

    /// <summary>Keeps the secret out of logs and messages.</summary>
    public override string ToString() => $"AWS access key {AccessKeyId} ({Region})";

    /// <summary>
    /// The credentials of a job configuration's <c>aws_credentials</c> (aws-credentials, resolved): its key, else the
    /// environment's (as AWS's own tools read it); its <c>region_name</c>, else the environment's region.
    /// </summary>
    /// <exception cref="ArgumentException">Neither holds an access key; says so in one line.</exception>
    public static AwsCredentials From(JsonObject? credentials, Func<string, string?> environment, string? home)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var fromEnvironment = FromEnvironment(environment, home, credentials is null ? null : JobConfiguration.Text(credentials, "profile_name"));
        var region = (credentials is null ? null : JobConfiguration.Text(credentials, "region_name")) is { Length: > 0 } r ? r : fromEnvironment?.Region ?? RegionOf(environment, null);
        if (credentials is not null && JobConfiguration.Text(credentials, "aws_access_key_id") is { Length: > 0 } id)
        {
            var secret = JobConfiguration.Text(credentials, "aws_secret_access_key") is { Length: > 0 } s ? s
                : throw new ArgumentException("The job variable 'aws_credentials' has an aws_access_key_id but no aws_secret_access_key.", nameof(credentials));
            return new AwsCredentials(id, secret, JobConfiguration.Text(credentials, "aws_session_token") is { Length: > 0 } t ? t : null, region);
        }

        return fromEnvironment is null
            ? throw new ArgumentException("No AWS credentials: give the pool's 'aws_credentials' an access key (reeve work-pool create --provision-infra does), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.", nameof(credentials))
            : fromEnvironment with { Region = region };
    }

    /// <summary>
    /// The credentials AWS's tools would take from <paramref name="environment"/>: <c>AWS_ACCESS_KEY_ID</c>,
    /// <c>AWS_SECRET_ACCESS_KEY</c> and <c>AWS_SESSION_TOKEN</c>, else the profile (<paramref name="profile"/>, else
    /// <c>AWS_PROFILE</c>, else <c>default</c>) of the shared credentials file (<c>AWS_SHARED_CREDENTIALS_FILE</c>, else
    /// <c>~/.aws/credentials</c>). The region is <c>AWS_REGION</c>, else <c>AWS_DEFAULT_REGION</c>, else the profile's
    /// <c>region</c>, else us-east-1. Null when there is no key.
    /// </summary>
    public static AwsCredentials? FromEnvironment(Func<string, string?> environment, string? home, string? profile = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (environment("AWS_ACCESS_KEY_ID") is { Length: > 0 } id && environment("AWS_SECRET_ACCESS_KEY") is { Length: > 0 } secret)
        {
            return new AwsCredentials(id, secret, environment("AWS_SESSION_TOKEN") is { Length: > 0 } token ? token : null, RegionOf(environment, null));
        }

        var file = environment("AWS_SHARED_CREDENTIALS_FILE") is { Length: > 0 } f ? f
            : home is { Length: > 0 } ? Path.Combine(home, ".aws", "credentials") : null;
        if (file is null || !File.Exists(file))
        {
            return null;
        }

        var section = Profile(File.ReadAllLines(file), profile is { Length: > 0 } ? profile : environment("AWS_PROFILE") is { Length: > 0 } p ? p : "default");
        return section.TryGetValue("aws_access_key_id", out var fileId) && section.TryGetValue("aws_secret_access_key", out var fileSecret)
            ? new AwsCredentials(fileId, fileSecret, section.GetValueOrDefault("aws_session_token"), RegionOf(environment, section.GetValueOrDefault("region")))
            : null;
    }

    private static string RegionOf(Func<string, string?> environment, string? fromProfile) =>
        environment("AWS_REGION") is { Length: > 0 } region ? region
        : environment("AWS_DEFAULT_REGION") is { Length: > 0 } fallback ? fallback
        : fromProfile is { Length: > 0 } ? fromProfile
        : DefaultRegion;

    /// <summary>The keys of <c>[name]</c> in an INI file (comments with '#' or ';').</summary>
    private static Dictionary<string, string> Profile(IEnumerable<string> lines, string name)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var inside = false;
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[' && line[^1] == ']')
            {
                inside = line[1..^1].Trim() == name;
                continue;
            }

            if (inside && line.IndexOf('=', StringComparison.Ordinal) is > 0 and var at)
            {
                result[line[..at].Trim()] = line[(at + 1)..].Trim();
            }
        }

        return result;
    }
}
