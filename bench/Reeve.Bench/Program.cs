using System.Globalization;
using System.Text.Json;
using Reeve.Bench;
using Reeve.Bench.Scenarios;

IScenario[] all = [new ServerScenario(), new CliScenario(), new WorkPoolsScenario(), new ApiScenario(), new PollScenario(), new TasksScenario(), new FlowsScenario(), new ServeScenario(), new WorkerScenario(), new DockerScenario(), new PushScenario(), new KubernetesScenario(), new SchedulerScenario(), new ThroughputScenario(), new PickupScenario(), new ClaimScenario(), new UiScenario()];

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException)
{
    Console.Error.WriteLine($"{e.Message} Usage: Reeve.Bench [{string.Join('|', all.Select(s => s.Name))}]... [--storage sqlite|postgres] [--quick] [--json FILE]");
    return 2;
}

var unknown = options.Scenarios.Except(all.Select(s => s.Name)).ToList();
if (unknown.Count > 0)
{
    Console.Error.WriteLine($"Unknown scenario(s): {string.Join(", ", unknown)}. Known: {string.Join(", ", all.Select(s => s.Name))}.");
    return 2;
}

var chosen = options.Scenarios.Count == 0 ? all : all.Where(s => options.Scenarios.Contains(s.Name)).ToArray();
Console.WriteLine($"Reeve benchmarks: {string.Join(", ", chosen.Select(s => s.Name))} on {options.Storage}{(options.Quick ? " (quick)" : "")}; " +
    $"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024 * 1024.0):F0} GiB");

var results = new List<Measurement>();
var failed = new List<string>();
var allStarted = System.Diagnostics.Stopwatch.StartNew();
foreach (var scenario in chosen)
{
    Console.WriteLine($"- {scenario.Name}: {scenario.Description}");
    var started = System.Diagnostics.Stopwatch.StartNew();
    try
    {
        var figures = await scenario.RunAsync(options);
        results.AddRange(figures);
        // Each scenario's figures as soon as it ends: a later one that fails, or a run stopped by hand, loses none.
        foreach (var r in figures)
        {
            Console.WriteLine($"  {r.Figure}: {Format(r.Value)} {r.Unit}");
        }
    }
#pragma warning disable CA1031 // One scenario's failure is reported, and the others still run.
    catch (Exception e)
#pragma warning restore CA1031
    {
        failed.Add(scenario.Name);
        Console.WriteLine($"  FAILED: {e}");
    }

    Console.WriteLine($"  ({scenario.Name} took {started.Elapsed.TotalSeconds:F1} s)");
}

Console.WriteLine($"All scenarios took {allStarted.Elapsed.TotalSeconds:F1} s.");

Console.WriteLine();
var width = Math.Max(6, results.Select(r => r.Figure.Length).DefaultIfEmpty(0).Max());
Console.WriteLine($"{"scenario",-10} {"figure".PadRight(width)} {"value",12} unit");
foreach (var r in results)
{
    Console.WriteLine($"{r.Scenario,-10} {r.Figure.PadRight(width)} {Format(r.Value),12} {r.Unit}");
}

if (options.JsonFile is { } file)
{
    await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new
    {
        date = TimeProvider.System.GetUtcNow().ToString("u", CultureInfo.InvariantCulture),
        cores = Environment.ProcessorCount,
        storage = options.Storage,
        quick = options.Quick,
        results = results.Select(r => new { r.Scenario, r.Figure, r.Value, r.Unit, r.Storage }),
    }, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
    Console.WriteLine($"Wrote {file}");
}

if (failed.Count > 0)
{
    Console.Error.WriteLine($"Failed: {string.Join(", ", failed)}.");
    return 1;
}

return 0;

static string Format(double value) => value.ToString(value >= 100 ? "N0" : "N1", CultureInfo.InvariantCulture);
