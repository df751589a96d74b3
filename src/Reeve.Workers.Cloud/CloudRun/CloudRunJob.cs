using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Reeve.Core.FlowRuns;
using Reeve.Core.JobTemplates;

namespace Reeve.Workers.CloudRun;

/// <summary>
/// A rendered <c>cloud-run:push</c> job configuration, read and checked: the service account and project, the region,
/// and the Cloud Run job's body (Cloud Run Admin API v2's <c>Job</c>) as Prefect's Cloud Run worker fills it in —
/// the environment as <c>{name, value}</c> pairs, the labels on the job and its executions, the timeout as seconds,
/// the command split into arguments, <c>vpcAccess</c> dropped when it names no connector.
/// </summary>
internal sealed partial class CloudRunJob
{
    public required GoogleServiceAccount Account { get; init; }

    public required string Project { get; init; }

    public required string Region { get; init; }

    public required JsonObject Body { get; init; }

    public required string NamePrefix { get; init; }

    public bool KeepJob { get; init; }

    /// <summary><c>projects/P/locations/R</c>.</summary>
    public string Parent => $"projects/{Project}/locations/{Region}";

    /// <exception cref="ArgumentException">The configuration lacks what a Cloud Run job needs, saying which variable.</exception>
    public static CloudRunJob From(JsonObject configuration, FlowRun run, IReadOnlyDictionary<string, string> runEnvironment)
    {
        var credentials = configuration["credentials"] as JsonObject
            ?? throw new ArgumentException("The job variable 'credentials' is not set: give the pool gcp-credentials (reeve work-pool create --provision-infra does).", nameof(configuration));
        var key = credentials["service_account_info"] as JsonObject
            ?? throw new ArgumentException("The job variable 'credentials' has no service_account_info (the service account's JSON key).", nameof(configuration));
        GoogleServiceAccount account;
        try
        {
            account = GoogleServiceAccount.From(key);
        }
        catch (InvalidOperationException e)
        {
            throw new ArgumentException($"The job variable 'credentials': {e.Message}", nameof(configuration), e);
        }

        var project = JobConfiguration.Text(credentials, "project") is { Length: > 0 } given ? given
            : account.ProjectId ?? throw new ArgumentException("The job variable 'credentials' names no project, and its key has no project_id.", nameof(configuration));
        var region = JobConfiguration.Text(configuration, "region") is { Length: > 0 } r ? r : "us-central1";
        if (!Segment().IsMatch(project) || !Segment().IsMatch(region))
        {
            throw new ArgumentException($"The project '{project}' or region '{region}' is not a Cloud Run name (lowercase letters, digits and '-').", nameof(configuration));
        }

        var body = configuration["job_body"]?.DeepClone() as JsonObject
            ?? throw new ArgumentException("The job configuration has no job_body.", nameof(configuration));
        if (body["template"]?["template"]?["containers"] is not JsonArray { Count: > 0 } containers || containers[0] is not JsonObject container)
        {
            throw new ArgumentException("The job_body has no container (template.template.containers[0]).", nameof(configuration));
        }

        if (JobConfiguration.Text(container, "image") is not { Length: > 0 })
        {
            throw new ArgumentException("The job variable 'image' is not set: name the container image to run (in the pool's defaults, the deployment or the run).", nameof(configuration));
        }

        var environment = new JsonArray();
        foreach (var (variable, value) in Infrastructure.RunEnvironment.Of(runEnvironment, JobConfiguration.Strings(configuration, "env")))
        {
            if (value is not null)
            {
                environment.Add(new JsonObject { ["name"] = variable, ["value"] = value });
            }
        }

        container["env"] = environment;
        if (JobConfiguration.Arguments(container, "command") is { } command)
        {
            container["command"] = new JsonArray([.. command.Select(a => (JsonNode)a)]);
        }
        else
        {
            container.Remove("command");
        }

        if (JobConfiguration.Arguments(container, "args") is { } args)
        {
            container["args"] = new JsonArray([.. args.Select(a => (JsonNode)a)]);
        }
        else
        {
            container.Remove("args");
        }

        var template = (JsonObject)body["template"]!["template"]!;
        template["timeout"] = $"{Timeout(configuration)}s";
        if (template["vpcAccess"] is JsonObject vpc && JobConfiguration.Text(vpc, "connector") is not { Length: > 0 })
        {
            template.Remove("vpcAccess");
        }

        if (JobConfiguration.Text(template, "serviceAccount") is not { Length: > 0 })
        {
            template.Remove("serviceAccount");
        }

        var labels = Labels(JobConfiguration.Strings(configuration, "labels"));
        body["labels"] = labels.DeepClone();
        ((JsonObject)body["template"]!)["labels"] = labels;
        return new CloudRunJob
        {
            Account = account,
            Project = project,
            Region = region,
            Body = body,
            NamePrefix = JobConfiguration.Text(configuration, "name") is { Length: > 0 } name ? name : run.Name,
            KeepJob = JobConfiguration.Flag(configuration, "keep_job") ?? false,
        };
    }

    /// <summary>A job id: the name made lowercase letters, digits and dashes, and seven random hex digits (at most 63 characters).</summary>
    public string NewJobId()
    {
        var safe = NotName().Replace(NamePrefix.ToLowerInvariant(), "-").Trim('-');
        safe = safe[..Math.Min(safe.Length, 55)].Trim('-');
        if (safe.Length == 0 || !char.IsAsciiLetterLower(safe[0]))
        {
            safe = ("reeve-" + safe).TrimEnd('-');
        }

        return $"{safe}-{Guid.NewGuid():N}"[..Math.Min(safe.Length + 8, 63)];
    }

    /// <summary>
    /// Google Cloud labels: keys start with a lowercase letter; keys and values are lowercase letters, digits, '_' and
    /// '-', at most 63 characters (<c>io.reeve.flow-run-id</c> becomes <c>io-reeve-flow-run-id</c>).
    /// </summary>
    public static JsonObject Labels(IReadOnlyDictionary<string, string?> labels)
    {
        var result = new JsonObject();
        foreach (var (key, value) in labels)
        {
            var safeKey = NotLabel().Replace(key.ToLowerInvariant(), "-");
            safeKey = safeKey[..Math.Min(safeKey.Length, 63)];
            if (value is null || safeKey.Length == 0 || !char.IsAsciiLetterLower(safeKey[0]) || result.ContainsKey(safeKey))
            {
                continue;
            }

            var safeValue = NotLabel().Replace(value.ToLowerInvariant(), "-");
            result[safeKey] = safeValue[..Math.Min(safeValue.Length, 63)];
        }

        return result;
    }

    private static int Timeout(JsonObject configuration) => configuration["timeout"] switch
    {
        null => 600,
        JsonValue v when v.TryGetValue<int>(out var s) && s is > 0 and <= 604_800 => s,
        JsonValue v when v.TryGetValue<string>(out var text) && int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var s) && s is > 0 and <= 604_800 => s,
        _ => throw new ArgumentException("The job variable 'timeout' must be a number of seconds from 1 to 604800.", nameof(configuration)),
    };

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex Segment();

    [GeneratedRegex("[^a-z0-9-]+")]
    private static partial Regex NotName();

    [GeneratedRegex("[^a-z0-9_-]")]
    private static partial Regex NotLabel();
}
