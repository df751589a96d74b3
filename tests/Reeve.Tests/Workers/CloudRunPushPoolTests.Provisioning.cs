using System.Text;
using System.Text.Json.Nodes;
using Reeve.Client;
using Reeve.Core.Deployments;
using Reeve.Core.States;
using Reeve.Testing.Cloud;

namespace Reeve.Tests.Workers;

/// <summary>
/// <c>reeve work-pool create --type cloud-run:push --provision-infra</c> against the STAND-IN of Google Cloud
/// (<see cref="CloudRunStandIn"/>: Service Usage, IAM, Resource Manager and Artifact Registry as well as Cloud Run,
/// written from Google's references; no cloud is reachable here), run as the real CLI process.
/// </summary>
public sealed partial class CloudRunPushPoolTests
{
    private const string Project = "reeve-stand-in-1";

    /// <summary>A CLI whose Google credentials are <paramref name="credentials"/> (none when null), whose Google APIs are the stand-in's, and whose Docker config is its own.</summary>
    private CliProcess ProvisioningCli(JsonObject? credentials)
    {
        var cli = new CliProcess(_server.ApiUrl);
        if (credentials is not null)
        {
            var file = Path.Combine(cli.Home, "application-default-credentials.json");
            File.WriteAllText(file, credentials.ToJsonString());
            cli.Environment["GOOGLE_APPLICATION_CREDENTIALS"] = file;
        }
        else
        {
            cli.Environment["GOOGLE_APPLICATION_CREDENTIALS"] = null;
        }

        cli.Environment["REEVE_GOOGLE_API_ENDPOINT"] = _google.Url;
        cli.Environment["HOME"] = cli.Home;
        cli.Environment["DOCKER_CONFIG"] = Path.Combine(cli.Home, "docker");
        foreach (var gcloud in new[] { "CLOUDSDK_CONFIG", "CLOUDSDK_CORE_PROJECT", "CLOUDSDK_RUN_REGION", "GOOGLE_CLOUD_PROJECT" })
        {
            cli.Environment[gcloud] = null;
        }

        return cli;
    }

    private static JsonObject DockerConfig(CliProcess cli) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(cli.Home, "docker", "config.json")))!.AsObject();

    [Fact]
    public async Task ProvisioningACloudRunPushPool_MakesEachPiece_ItsRunsCompleteWithTheNewKey_AndARerunMakesNothing()
    {
        var pool = Names.Unique("cloud-run-provisioned");
        var cli = ProvisioningCli(_google.ServiceAccountKey(Project));

        var created = await cli.RunAsync("work-pool", "create", pool, "--type", "cloud-run:push", "--provision-infra", "--yes");

        Assert.True(created.ExitCode == 0, created.ToString());
        var host = "us-central1-docker.pkg.dev";
        var buildNamespace = $"{host}/{Project}/reeve-images";
        foreach (var line in new[]
        {
            $"Updates in Google Cloud project {Project} in region us-central1", "Activated the Cloud Run API", "Activated the Artifact Registry API",
            "Created Artifact Registry repository reeve-images", "Created service account reeve-cloud-run",
            "Granted reeve-cloud-run Service Account User, Cloud Run Developer, Artifact Registry Writer", "Created a key for service account reeve-cloud-run",
            $"Created GCP credentials {pool}-push-pool-credentials", $"Docker logs in to {host} as service account reeve-cloud-run",
            $"Default Docker build namespace: {buildNamespace}", "Infrastructure successfully provisioned!", $"Created work pool '{pool}'!",
        })
        {
            Assert.Contains(line, created.Out, StringComparison.Ordinal);
        }

        var made = _google.Projects[Project];
        Assert.True(made.Services.ContainsKey("run.googleapis.com") && made.Services.ContainsKey("artifactregistry.googleapis.com"));
        Assert.Equal("DOCKER", made.Repositories["reeve-images"]["format"]!.GetValue<string>());
        var account = $"serviceAccount:reeve-cloud-run@{Project}.iam.gserviceaccount.com";
        Assert.All(new[] { "roles/run.developer", "roles/iam.serviceAccountUser", "roles/artifactregistry.writer" },
            role => Assert.True(made.Holds(account, role), role));
        Assert.Equal(buildNamespace, ReeveSettings.ReadProfile(ReeveSettings.ProfilePath(cli.Home))[ReeveSettings.DefaultDockerBuildNamespaceKey]);
        var login = Encoding.UTF8.GetString(Convert.FromBase64String(DockerConfig(cli)["auths"]![host]!["auth"]!.GetValue<string>()));
        Assert.StartsWith("_json_key_base64:", login, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", created.Out + created.Error, StringComparison.Ordinal);
        var credentials = await _server.Http.PostJsonAsync("credentials/filter", "{}");
        Assert.DoesNotContain("PRIVATE KEY", credentials.Text, StringComparison.Ordinal);
        var variables = (await _server.Client.ReadWorkPoolAsync(pool)).BaseJobTemplate!["variables"]!["properties"]!;
        Assert.NotNull(variables["credentials"]!["default"]!["$ref"]!["block_document_id"]);
        Assert.Equal("us-central1", variables["region"]!["default"]!.GetValue<string>());

        // The pool's runs use the key provisioning made: the stand-in lets only an account with Cloud Run Developer create jobs in the project.
        var flow = await _server.Client.CreateFlowAsync(new Core.Flows.FlowCreate { Name = "get-repo-info" });
        var deployment = await _server.Client.CreateDeploymentAsync(new DeploymentCreate
        {
            Name = pool,
            FlowId = flow.Id,
            Entrypoint = "RepoInfo.csproj:RepoInfo.RepoInfoFlows.GetRepoInfo",
            WorkPoolName = pool,
            JobVariables = new JsonObject { ["image"] = $"{buildNamespace}/repo-info:1" },
        });
        await using (var workers = ServerWorkers())
        {
            var ended = await _server.Client.WaitForEndAsync(await RunAsync(deployment.Id), TimeSpan.FromMinutes(1));
            Assert.True(ended.StateType == StateType.Completed, $"{ended.StateName}: {ended.State?.Message}");
        }

        Assert.Contains(_google.Created.Keys, job => job.StartsWith($"projects/{Project}/locations/us-central1/jobs/", StringComparison.Ordinal));

        var changes = _google.Changes.Count;
        var again = await cli.RunAsync("work-pool", "create", pool, "--type", "cloud-run:push", "--provision-infra", "--yes");

        Assert.True(again.ExitCode == 0, again.ToString());
        foreach (var line in new[]
        {
            "The Cloud Run API is active", "Artifact Registry repository reeve-images exists", "Service account reeve-cloud-run exists",
            "Service account reeve-cloud-run has its roles", "No new key needed", $"GCP credentials {pool}-push-pool-credentials exist",
            $"Docker has a login to {host}", $"Work pool '{pool}' already exists",
        })
        {
            Assert.Contains(line, again.Out, StringComparison.Ordinal);
        }

        Assert.Equal(changes, _google.Changes.Count);
    }

    [Fact]
    public async Task ProvisioningRefusedHalfway_SaysWhyInOneLine_MakesNoPool_AndTheRerunFinishesWithoutMakingAnythingTwice()
    {
        var pool = Names.Unique("cloud-run-halfway");
        const string project = "reeve-stand-in-2";
        var cli = ProvisioningCli(_google.ServiceAccountKey(project));
        _google.DeniedPermissions["resourcemanager.projects.setIamPolicy"] = true;

        var refused = await cli.RunAsync("work-pool", "create", pool, "--type", "cloud-run:push", "--provision-infra", "--yes");

        Assert.Equal(1, refused.ExitCode);
        var error = Assert.Single(refused.Error.Trim().Split('\n'));
        Assert.Contains("Assigning roles to the service account: Google answered 403 PERMISSION_DENIED", error, StringComparison.Ordinal);
        Assert.Contains("resourcemanager.projects.setIamPolicy", error, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ReeveApiException>(() => _server.Client.ReadWorkPoolAsync(pool));
        Assert.DoesNotContain(_google.Changes, change => change.StartsWith("create key", StringComparison.Ordinal));

        _google.DeniedPermissions.Clear();
        var finished = await cli.RunAsync("work-pool", "create", pool, "--type", "cloud-run:push", "--provision-infra", "--yes");

        Assert.True(finished.ExitCode == 0, finished.ToString());
        Assert.Contains("Service account reeve-cloud-run exists", finished.Out, StringComparison.Ordinal);
        Assert.Contains($"Created work pool '{pool}'!", finished.Out, StringComparison.Ordinal);
        var changes = _google.Changes.ToArray();
        foreach (var once in new[]
        {
            "enable run.googleapis.com", "enable artifactregistry.googleapis.com", $"create repository us-central1/reeve-images",
            "create service account reeve-cloud-run", $"create key reeve-cloud-run@{project}.iam.gserviceaccount.com", "set iam policy",
        })
        {
            Assert.Single(changes, once);
        }
    }

    [Fact]
    public async Task ProvisioningWithAUsersCredentials_NeedsAProject_AndKeepsTheDockerLoginGcloudSetUp()
    {
        var pool = Names.Unique("cloud-run-user");
        var cli = ProvisioningCli(_google.UserCredentials());

        var noProject = await cli.RunAsync("work-pool", "create", pool, "--type", "cloud-run:push", "--provision-infra", "--yes");

        Assert.Equal(1, noProject.ExitCode);
        Assert.Equal("No Google Cloud project: name one with --project (or set GOOGLE_CLOUD_PROJECT).", noProject.Error.Trim());

        var host = "europe-west1-docker.pkg.dev";
        Directory.CreateDirectory(Path.Combine(cli.Home, "docker"));
        File.WriteAllText(Path.Combine(cli.Home, "docker", "config.json"), new JsonObject { ["credHelpers"] = new JsonObject { [host] = "gcloud" } }.ToJsonString());

        var created = await cli.RunAsync("work-pool", "create", pool, "--type", "cloud-run:push", "--provision-infra", "--yes",
            "--project", "reeve-user-project", "--region", "europe-west1");

        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Contains($"as the user credentials of OAuth client", created.Out, StringComparison.Ordinal);
        Assert.Contains($"Docker logs in to {host} with its credential helper 'gcloud'", created.Out, StringComparison.Ordinal);
        Assert.Contains($"Default Docker build namespace: {host}/reeve-user-project/reeve-images", created.Out, StringComparison.Ordinal);
        Assert.Null(DockerConfig(cli)["auths"]);
        Assert.True(_google.Projects["reeve-user-project"].Repositories.ContainsKey("reeve-images"));
        var variables = (await _server.Client.ReadWorkPoolAsync(pool)).BaseJobTemplate!["variables"]!["properties"]!;
        Assert.Equal("europe-west1", variables["region"]!["default"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(null, new string[0], "No Google Cloud credentials: run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a service account key.")]
    [InlineData("key", new[] { "--project", "Not_A_Project" }, "'Not_A_Project' is not a Google Cloud project id (6 to 30 lowercase letters, digits and '-', starting with a letter).")]
    [InlineData("key", new[] { "--region", "US-Central1" }, "is not a Google Cloud region (such as us-central1).")]
    [InlineData("text", new string[0], "are not JSON")]
    public async Task ProvisioningWithoutUsableCredentialsOrNames_FailsInOneLine_BeforeAskingGoogleAnything(string? credentials, string[] options, string expected)
    {
        var cli = ProvisioningCli(credentials == "key" ? _google.ServiceAccountKey(Project) : null);
        if (credentials == "text")
        {
            var file = Path.Combine(cli.Home, "not-json.json");
            File.WriteAllText(file, "{ not json");
            cli.Environment["GOOGLE_APPLICATION_CREDENTIALS"] = file;
        }

        var changes = _google.Changes.Count;
        var result = await cli.RunAsync(["work-pool", "create", Names.Unique("cloud-run-bad"), "--type", "cloud-run:push", "--provision-infra", "--yes", .. options]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, Assert.Single(result.Error.Trim().Split('\n')), StringComparison.Ordinal);
        Assert.Equal(changes, _google.Changes.Count);
    }
}
