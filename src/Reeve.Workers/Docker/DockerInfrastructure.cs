using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Docker.DotNet;
using Docker.DotNet.Models;
using Reeve.Core.FlowRuns;
using Reeve.Workers.Infrastructure;

namespace Reeve.Workers.Docker;

/// <summary>
/// Runs a flow run in its own container on a Docker engine: pulls the image as the job's pull policy says,
/// creates the container from the rendered job configuration (with the run's Reeve settings in its environment,
/// and <c>host</c> networking when the server is on this machine's loopback), starts it, copies its output,
/// waits for it to end and reads how it ended (exit code, killed for lack of memory), then removes it when the
/// job says <c>auto_remove</c>. Cancelling stops the container: SIGTERM, then SIGKILL after the grace period.
/// </summary>
public sealed class DockerInfrastructure(DockerInfrastructureOptions options) : IResumableInfrastructure
{
    /// <summary>The label that names a container's flow run (the worker puts it in every job configuration's labels).</summary>
    internal const string RunLabel = "io.reeve.flow-run-id";

    /// <inheritdoc />
    public async Task<InfrastructureResult> RunAsync(FlowRun run, JsonObject configuration, Func<string, Task> started, CancellationToken cancellationToken)
    {
        var job = DockerJob.From(configuration);
        using var docker = DockerEngine.Connect(options.DockerHost);
        await EnsureImageAsync(docker, job, cancellationToken);
        var id = await CreateAsync(docker, run, job, cancellationToken);
        return await StartAndFollowAsync(docker, job, id, started, cancellationToken);
    }

    /// <summary>
    /// The container labelled with the run's id, followed to its end (started first if it was created and never
    /// started; an ended one only read); null when the engine has none.
    /// </summary>
    public async Task<InfrastructureResult?> ResumeAsync(FlowRun run, JsonObject configuration, Func<string, Task> found, CancellationToken cancellationToken)
    {
        var job = DockerJob.From(configuration);
        using var docker = DockerEngine.Connect(options.DockerHost);
        var containers = await docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{RunLabel}={run.Id}"] = true } },
        }, cancellationToken);
        if (containers.Count == 0)
        {
            return null;
        }

        // Newest first: a run's earlier container (the engine kept it) says less than the one it ran last.
        var container = containers.OrderByDescending(c => c.Created).First();
        return await StartAndFollowAsync(docker, job, container.ID, found, cancellationToken, created: container.State == "created");
    }

    private async Task<InfrastructureResult> StartAndFollowAsync(
        DockerClient docker, DockerJob job, string id, Func<string, Task> started, CancellationToken cancellationToken, bool created = true)
    {
        var ran = false;
        try
        {
            if (created)
            {
                await docker.Containers.StartContainerAsync(id, new ContainerStartParameters(), cancellationToken);
            }

            ran = true;
            await started(id);
            // A container taken back after a restart has its output copied from now on, not again from its start.
            var output = job.StreamOutput ? CopyOutputAsync(docker, id, since: created ? null : TimeProvider.System.GetUtcNow()) : Task.CompletedTask;
            try
            {
                await docker.Containers.WaitContainerAsync(id, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await docker.Containers.StopContainerAsync(id, new ContainerStopParameters { WaitBeforeKillSeconds = (uint)options.KillGracePeriod.TotalSeconds }, CancellationToken.None);
                await docker.Containers.WaitContainerAsync(id, CancellationToken.None);
            }

            // The output ends with the container; a stream the engine keeps open a moment longer is not waited on.
            await Task.WhenAny(output, Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None));
            var state = (await docker.Containers.InspectContainerAsync(id, CancellationToken.None)).State
                ?? throw new InvalidOperationException($"The engine did not say how container {id} ended.");
            return Outcome(state, job);
        }
        finally
        {
            if (job.AutoRemove || !ran)
            {
                await RemoveAsync(docker, id);
            }
        }
    }

    private async Task EnsureImageAsync(DockerClient docker, DockerJob job, CancellationToken cancellationToken)
    {
        var image = job.Image.ToString();
        var policy = job.EffectivePullPolicy;
        if (policy != ImagePullPolicy.Always && await DockerEngine.HasImageAsync(docker, image, cancellationToken))
        {
            return;
        }

        if (policy == ImagePullPolicy.Never)
        {
            throw new InvalidOperationException($"Image '{image}' is not on the Docker engine, and image_pull_policy is Never.");
        }

        await options.Output.WriteLineAsync($"Pulling image '{image}'...");
        var credentials = job.Credentials is { } c ? DockerEngine.Credentials(c.Username, c.Password, c.RegistryUrl) : null;
        try
        {
            await DockerEngine.PullAsync(docker, job.Image, credentials, options.Output, cancellationToken);
        }
        catch (Exception e) when (job.PullPolicy is null && e is InvalidOperationException or DockerApiException)
        {
            // "Always" only because the tag is latest (nobody asked for it): an image built here and never pushed
            // still runs, which is what its author meant.
            if (!await DockerEngine.HasImageAsync(docker, image, cancellationToken))
            {
                throw;
            }

            await options.Output.WriteLineAsync($"Could not pull '{image}' ({e.Message.Trim()}); running the copy the engine has.");
        }
    }

    private async Task<string> CreateAsync(DockerClient docker, FlowRun run, DockerJob job, CancellationToken cancellationToken)
    {
        var environment = RunEnvironment.Of(options.RunEnvironment(run), job.Env);

        var parameters = new CreateContainerParameters
        {
            Image = job.Image.ToString(),
            Cmd = job.Command.Count > 0 ? [.. job.Command] : null!,
            Env = [.. environment.Where(e => e.Value is not null).Select(e => $"{e.Key}={e.Value}")],
            Labels = new Dictionary<string, string>(job.Labels, StringComparer.Ordinal) { [RunLabel] = run.Id.ToString() },
            HostConfig = new HostConfig
            {
                NetworkMode = NetworkMode(job, environment.GetValueOrDefault("REEVE_API_URL"))!,
                Binds = job.Volumes.Count > 0 ? [.. job.Volumes] : null!,
                Memory = job.MemoryLimit ?? 0,
                MemorySwap = job.MemorySwapLimit ?? 0,
                Privileged = job.Privileged,
            },
            NetworkingConfig = job.Networks.Count > 0
                ? new NetworkingConfig { EndpointsConfig = new Dictionary<string, EndpointSettings> { [job.Networks[0]] = new() } }
                : null,
        };

        // A name already taken (a run retried, two runs of one name) gets -1, -2, ... as Prefect's worker does.
        for (var attempt = 0; ; attempt++)
        {
            parameters.Name = job.Name is null ? null! : attempt == 0 ? job.Name : $"{job.Name}-{attempt}";
            try
            {
                var created = await docker.Containers.CreateContainerAsync(parameters, cancellationToken);
                foreach (var network in job.Networks.Skip(1))
                {
                    await docker.Networks.ConnectNetworkAsync(network, new NetworkConnectParameters { Container = created.ID }, cancellationToken);
                }

                return created.ID;
            }
            catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict && job.Name is not null && attempt < 20)
            {
            }
        }
    }

    /// <summary>
    /// The network mode set, or none with named networks, or <c>host</c> on Linux when the server is on loopback
    /// (a container on its own network could not reach it there).
    /// </summary>
    internal static string? NetworkMode(DockerJob job, string? apiUrl)
    {
        if (job.NetworkMode is not null || job.Networks.Count > 0)
        {
            return job.NetworkMode;
        }

        return OperatingSystem.IsLinux() && Uri.TryCreate(apiUrl, UriKind.Absolute, out var url) && (url.IsLoopback || url.Host == "localhost")
            ? "host"
            : null;
    }

    private static InfrastructureResult Outcome(State state, DockerJob job)
    {
        var code = (int)state.ExitCode;
        if (!state.OOMKilled)
        {
            return InfrastructureResult.FromUnixExitCode(code);
        }

        var limit = job.MemoryLimit is { } bytes ? $" (mem_limit {bytes / (1024 * 1024)} MiB)" : "";
        return InfrastructureResult.FromUnixExitCode(code, $"the container ran out of memory{limit} and the kernel killed it (OOM)");
    }

    private async Task CopyOutputAsync(DockerClient docker, string id, DateTimeOffset? since)
    {
        try
        {
            using var stream = await docker.Containers.GetContainerLogsAsync(id, new ContainerLogsParameters
            {
                Follow = true,
                ShowStdout = true,
                ShowStderr = true,
                Since = since?.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            }, CancellationToken.None);
            var stdout = new LineWriter(options.Output);
            var stderr = new LineWriter(options.Error);
            var buffer = new byte[8192];
            while (true)
            {
                var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, CancellationToken.None);
                if (read.EOF)
                {
                    break;
                }

                await (read.Target == MultiplexedStream.TargetStream.StandardError ? stderr : stdout).WriteAsync(buffer.AsMemory(0, read.Count));
            }

            await stdout.FlushAsync();
            await stderr.FlushAsync();
        }
        catch (Exception e) when (e is DockerApiException or IOException or HttpRequestException)
        {
            await options.Error.WriteLineAsync($"Stopped copying the output of container {id[..Math.Min(12, id.Length)]}: {e.Message}");
        }
    }

    private async Task RemoveAsync(DockerClient docker, string id)
    {
        try
        {
            await docker.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true }, CancellationToken.None);
        }
        catch (Exception e) when (e is DockerApiException or IOException or HttpRequestException)
        {
            await options.Error.WriteLineAsync($"Could not remove container {id[..Math.Min(12, id.Length)]}: {e.Message}");
        }
    }

    /// <summary>Bytes of one output stream to whole lines of text (a line may arrive in several frames).</summary>
    private sealed class LineWriter(TextWriter to)
    {
        private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
        private readonly StringBuilder _line = new();

        public async Task WriteAsync(ReadOnlyMemory<byte> bytes)
        {
            var chars = new char[Encoding.UTF8.GetMaxCharCount(bytes.Length)];
            var count = _decoder.GetChars(bytes.Span, chars, flush: false);
            for (var i = 0; i < count; i++)
            {
                var c = chars[i];
                if (c == '\n')
                {
                    await to.WriteLineAsync(_line.ToString().TrimEnd('\r'));
                    _line.Clear();
                }
                else
                {
                    _line.Append(c);
                }
            }
        }

        public async Task FlushAsync()
        {
            if (_line.Length > 0)
            {
                await to.WriteLineAsync(_line.ToString());
                _line.Clear();
            }
        }
    }
}

/// <summary>Settings of <see cref="DockerInfrastructure"/>.</summary>
public sealed record DockerInfrastructureOptions
{
    /// <summary>The engine, such as <c>unix:///var/run/docker.sock</c>; <c>DOCKER_HOST</c>, or the local engine, when null.</summary>
    public string? DockerHost { get; init; }

    /// <summary>The variables every run's container gets (its run id, the API URL and key).</summary>
    public required Func<FlowRun, IReadOnlyDictionary<string, string>> RunEnvironment { get; init; }

    /// <summary>How long a cancelled run's container has to stop after SIGTERM before it is killed.</summary>
    public TimeSpan KillGracePeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Where pulls and a run's standard output are written.</summary>
    public TextWriter Output { get; init; } = Console.Out;

    /// <summary>Where a run's standard error is written.</summary>
    public TextWriter Error { get; init; } = Console.Error;
}
