using System.Text;
using System.Text.Json;

namespace Reeve.Core.Workers;

/// <summary>
/// What a process worker tells a standby engine (<c>reeve flow-run execute --standby</c>, started before its run
/// existed) when it hands it a flow run: the variables the run's process would have been started with, over the
/// standby's own, and the folder it would have been started in. One line of JSON on the engine's standard input.
/// </summary>
/// <param name="WorkingDirectory">The run's working folder.</param>
/// <param name="Environment">The run's variables; a null value unsets one.</param>
public sealed record EngineHandoff(string WorkingDirectory, IReadOnlyDictionary<string, string?> Environment)
{
    /// <summary>
    /// Whether a run with these variables can be handed to a standby engine. Variables the .NET runtime, the C library
    /// or OpenSSL read once, as a process starts (<c>DOTNET_*</c>, <c>LD_*</c>, <c>TZ</c>, <c>LANG</c>, <c>LC_*</c>,
    /// <c>SSL_CERT_*</c>...), would come too late to an engine that is already running: such a run gets a new process.
    /// </summary>
    public static bool CanHandOff(IEnumerable<string> variables) => !variables.Any(ReadAtStart);

    private static bool ReadAtStart(string name) =>
        name is "TZ" or "LANG" or "LANGUAGE"
        || StartsWithAny(name, "DOTNET_", "COMPlus_", "CORECLR_", "LD_", "LC_", "MALLOC_", "GLIBC_", "SSL_CERT_", "OPENSSL_");

    private static bool StartsWithAny(string name, params string[] prefixes) =>
        prefixes.Any(prefix => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));

    /// <summary>The handoff as the line the engine reads.</summary>
    public string ToLine()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("working_dir", WorkingDirectory);
            writer.WriteStartObject("env");
            foreach (var (key, value) in Environment)
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Reads a handoff line; a <see cref="JsonException"/> or <see cref="FormatException"/> when it is not one.</summary>
    public static EngineHandoff Parse(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var folder = root.GetProperty("working_dir").GetString() ?? throw new FormatException("The handoff names no working_dir.");
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var variable in root.GetProperty("env").EnumerateObject())
        {
            environment[variable.Name] = variable.Value.ValueKind == JsonValueKind.Null ? null : variable.Value.GetString();
        }

        return new EngineHandoff(folder, environment);
    }
}
