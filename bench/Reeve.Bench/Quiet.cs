namespace Reeve.Bench;

/// <summary>Silences the console while a scenario runs flows (their log lines would flood the report).</summary>
internal static class Quiet
{
    public static IDisposable Console()
    {
        var original = System.Console.Out;
        System.Console.SetOut(TextWriter.Null);
        return new Restore(original);
    }

    private sealed class Restore(TextWriter original) : IDisposable
    {
        public void Dispose() => System.Console.SetOut(original);
    }
}
