using Docker.DotNet.Models;

namespace Reeve.Workers.Docker;

/// <summary>
/// Docker's progress messages of a pull, build or push, as lines a person can follow: build steps as the engine
/// writes them, and one line per layer when its status changes (not every progress tick). Remembers the first error.
/// </summary>
public sealed class JsonProgress(TextWriter? output) : IProgress<JSONMessage>
{
    private readonly Dictionary<string, string> _layers = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>The engine's error, when it reported one.</summary>
    public string? Error { get; private set; }

    /// <summary>The image id a build reported, when it did.</summary>
    public string? ImageId { get; private set; }

    /// <inheritdoc />
    public void Report(JSONMessage value)
    {
        lock (_gate)
        {
            if (value.Error?.Message is { Length: > 0 } error)
            {
                Error ??= error;
                output?.WriteLine(error);
                return;
            }

            if (value.Aux?.ExtensionData?.TryGetValue("ID", out var id) == true)
            {
                ImageId = id?.ToString();
            }

            if (value.Stream is { Length: > 0 } stream)
            {
                foreach (var line in stream.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    output?.WriteLine(line);
                }

                return;
            }

            if (value.Status is not { Length: > 0 } status)
            {
                return;
            }

            if (value.ID is { Length: > 0 } layer)
            {
                if (_layers.TryGetValue(layer, out var last) && last == status)
                {
                    return;
                }

                _layers[layer] = status;
                output?.WriteLine($"{layer}: {status}");
            }
            else
            {
                output?.WriteLine(status);
            }
        }
    }

    /// <summary>Throws with <paramref name="what"/> and the engine's message when it reported an error.</summary>
    public void ThrowIfFailed(string what)
    {
        if (Error is { } error)
        {
            throw new InvalidOperationException($"{what}: {error}");
        }
    }
}
