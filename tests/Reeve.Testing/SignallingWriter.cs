namespace Reeve.Testing;

/// <summary>Output to wait on: <see cref="Said"/> completes once a line holding the awaited text is written.</summary>
public sealed class SignallingWriter(string awaited) : StringWriter
{
    private readonly TaskCompletionSource _said = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();

    /// <summary>Completes when a line holding the awaited text has been written.</summary>
    public Task Said => _said.Task;

    public override void WriteLine(string? value)
    {
        lock (_gate)
        {
            base.WriteLine(value);
        }

        if (value?.Contains(awaited, StringComparison.Ordinal) == true)
        {
            _said.TrySetResult();
        }
    }

    public override Task WriteLineAsync(string? value)
    {
        WriteLine(value);
        return Task.CompletedTask;
    }

    public override string ToString()
    {
        lock (_gate)
        {
            return base.ToString();
        }
    }
}
