using System.CommandLine;
using System.Globalization;
using Reeve.Client;
using Reeve.Workers;

namespace Reeve.Cli.Commands;

/// <summary><c>reeve worker start</c>.</summary>
internal static class WorkerCommands
{
    public static Command Build(CliContext context)
    {
        var worker = new Command("worker", "Run a worker: it takes a work pool's flow runs and runs them on the pool's infrastructure.");
        worker.Subcommands.Add(Start(context));
        return worker;
    }

    private static Command Start(CliContext context)
    {
        var pool = new Option<string>("--pool", "-p") { Description = "The work pool to take flow runs from; created if it does not exist.", Required = true };
        var type = new Option<string?>("--type", "-t") { Description = "The worker type: process, docker (talks to the engine at DOCKER_HOST, else the local socket) or kubernetes (the cluster of KUBECONFIG, ~/.kube/config or the pod's service account); inferred from the pool when omitted." };
        var name = new Option<string?>("--name", "-n") { Description = "The worker's name, unique in its pool; generated when omitted." };
        var queues = new Option<string[]>("--work-queue", "-q") { Description = "Only this queue of the pool (repeatable); all queues when omitted.", AllowMultipleArgumentsPerToken = false };
        var limit = new Option<int?>("--limit", "-l") { Description = "The most flow runs this worker runs at once." };
        var runOnce = new Option<bool>("--run-once") { Description = "Run the flow runs due now, wait for them to end, and stop." };
        var prefetch = new Option<int>("--prefetch-seconds") { Description = "Claim runs this many seconds before they are due, so their infrastructure is up on time.", DefaultValueFactory = _ => 10 };
        var command = new Command("start", "Start a worker for a work pool. It heartbeats, learns of due flow runs the moment they exist, " +
            "claims each, starts it on the pool's infrastructure and follows it to its end. A process worker keeps one engine started ahead of " +
            "its next run (REEVE_WORKER_STANDBY_ENGINE=false turns that off). Stop it with Ctrl+C.")
        {
            pool, type, name, queues, limit, runOnce, prefetch,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(limit) is < 1)
            {
                throw new CliException($"--limit must be at least 1 (got {parse.GetValue(limit)}).");
            }

            if (parse.GetValue(prefetch) < 0)
            {
                throw new CliException($"--prefetch-seconds must not be negative (got {parse.GetValue(prefetch)}).");
            }

            var typeName = parse.GetValue(type);
            if (typeName == "managed")
            {
                throw new CliException("Flow runs of managed pools are run by the Reeve server itself; no worker is needed.");
            }

            using var client = context.CreateClient();
            var output = context.Out.Profile.Out.Writer;
            var options = new WorkerOptions
            {
                PoolName = parse.GetValue(pool)!,
                Type = typeName,
                Name = parse.GetValue(name),
                WorkQueues = parse.GetValue(queues) ?? [],
                Limit = parse.GetValue(limit),
                RunOnce = parse.GetValue(runOnce),
                Prefetch = TimeSpan.FromSeconds(parse.GetValue(prefetch)),
                HeartbeatInterval = context.EnvironmentSeconds("REEVE_WORKER_HEARTBEAT_SECONDS") ?? TimeSpan.FromSeconds(30),
                PollInterval = context.EnvironmentSeconds("REEVE_WORKER_QUERY_SECONDS") ?? TimeSpan.FromSeconds(10),
                StartDelay = context.EnvironmentSeconds("REEVE_WORKER_START_DELAY_SECONDS") ?? TimeSpan.Zero,
                Infrastructure = EngineProcess.Infrastructures(client.Options, sandboxRoot: null, output, context.Error,
                    context.EnvironmentSeconds("REEVE_WORKER_KILL_GRACE_SECONDS"), logs: client,
                    standby: context.Environment("REEVE_WORKER_STANDBY_ENGINE")?.Trim().ToLowerInvariant() is not ("false" or "0" or "no" or "off")),
                Output = output,
            };

            using var signals = new Serving.ShutdownSignals(cancellationToken);
            try
            {
                await new Worker(client, options).RunAsync(signals.Token);
            }
            catch (WorkerException e)
            {
                throw new CliException(e.Message);
            }

            return 0;
        });
        return command;
    }

}
