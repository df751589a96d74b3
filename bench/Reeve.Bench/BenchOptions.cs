namespace Reeve.Bench;

internal sealed record BenchOptions(IReadOnlyList<string> Scenarios, string Storage, bool Quick, string? JsonFile)
{
    /// <summary>How long each scenario loads the server before measuring.</summary>
    public TimeSpan WarmUp => TimeSpan.FromSeconds(Quick ? 1 : 40);

    public static BenchOptions Parse(string[] args)
    {
        var scenarios = new List<string>();
        var storage = "sqlite";
        var quick = false;
        string? json = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--storage":
                    storage = args[++i];
                    if (storage is not ("sqlite" or "postgres"))
                    {
                        throw new ArgumentException("--storage must be sqlite or postgres.");
                    }

                    break;
                case "--quick":
                    quick = true;
                    break;
                case "--json":
                    json = args[++i];
                    break;
                case var s when s.StartsWith('-'):
                    throw new ArgumentException($"Unknown option {s}.");
                default:
                    scenarios.Add(args[i]);
                    break;
            }
        }

        return new BenchOptions(scenarios, storage, quick, json);
    }
}
