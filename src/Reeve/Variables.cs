using System.Net;
using System.Text.Json;
using Reeve.Client;
using Reeve.Core.Json;
using Reeve.Core.Variables;
using Reeve.Engine;

namespace Reeve;

/// <summary>
/// Variables on the Reeve server (Prefect's variables): named JSON values for configuration that is not secret,
/// shared by flows, deployments and people (<c>reeve variable set</c>). Read them in a flow with
/// <see cref="GetAsync{T}"/>; secrets belong in credentials, not here.
/// </summary>
public static class Variables
{
    /// <summary>
    /// The value of variable <paramref name="name"/> as a <typeparamref name="T"/> (a string, a number, a record
    /// bound from a JSON object...), or <paramref name="defaultValue"/> when there is no such variable.
    /// </summary>
    /// <exception cref="InvalidOperationException">Flows are not tracked (no server), or the value is not a <typeparamref name="T"/>.</exception>
    public static async Task<T?> GetAsync<T>(string name, T? defaultValue = default, CancellationToken cancellationToken = default)
    {
        Variable variable;
        try
        {
            variable = await Client.ReadVariableByNameAsync(name, cancellationToken);
        }
        catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return defaultValue;
        }

        try
        {
            return variable.Value is null ? default : variable.Value.Deserialize<T>(ReeveJson.Default);
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"Variable '{name}' holds {variable.Value?.ToJsonString()}, which is not a {typeof(T).Name}.", e);
        }
    }

    /// <summary>
    /// Sets variable <paramref name="name"/> to <paramref name="value"/> (any value that serializes to at most 5,000
    /// characters of JSON). A variable that exists already is changed only with <paramref name="overwrite"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The variable exists and <paramref name="overwrite"/> is false, or flows are not tracked.</exception>
    public static async Task SetAsync<T>(string name, T value, bool overwrite = false, IReadOnlyList<string>? tags = null, CancellationToken cancellationToken = default)
    {
        var node = JsonSerializer.SerializeToNode(value, ReeveJson.Default);
        try
        {
            await Client.CreateVariableAsync(new VariableCreate { Name = name, Value = node, Tags = tags?.ToList() }, cancellationToken);
        }
        catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            if (!overwrite)
            {
                throw new InvalidOperationException($"Variable '{name}' already exists; pass overwrite: true to change it.", e);
            }

            await Client.UpdateVariableByNameAsync(name, new VariableUpdate
            {
                Value = new Optional<System.Text.Json.Nodes.JsonNode?>(node),
                Tags = tags is null ? default : new Optional<List<string>?>(tags.ToList()),
            }, cancellationToken);
        }
    }

    /// <summary>Deletes variable <paramref name="name"/>; false when there was none.</summary>
    public static async Task<bool> UnsetAsync(string name, CancellationToken cancellationToken = default)
    {
        try
        {
            await Client.DeleteVariableByNameAsync(name, cancellationToken);
            return true;
        }
        catch (ReeveApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private static ReeveClient Client => ReeveRuntime.RequireClient("Variables live");
}
