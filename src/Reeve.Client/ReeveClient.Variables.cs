using Reeve.Core.Variables;

namespace Reeve.Client;

public sealed partial class ReeveClient
{
    /// <summary>Creates a variable (<c>POST /api/variables/</c>); 409 when its name is taken.</summary>
    public Task<Variable> CreateVariableAsync(VariableCreate variable, CancellationToken cancellationToken = default) =>
        SendAsync<Variable>(HttpMethod.Post, "variables/", variable, cancellationToken);

    /// <summary>Reads a variable by name; 404 when there is none.</summary>
    public Task<Variable> ReadVariableByNameAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync<Variable>(HttpMethod.Get, $"variables/name/{Uri.EscapeDataString(name)}", null, cancellationToken);

    /// <summary>Lists variables, by name unless sorted otherwise.</summary>
    public async Task<IReadOnlyList<Variable>> FilterVariablesAsync(VariableFilterRequest? filter = null, CancellationToken cancellationToken = default) =>
        await SendAsync<List<Variable>>(HttpMethod.Post, "variables/filter", filter ?? new VariableFilterRequest(), cancellationToken);

    /// <summary>Changes a variable, by name; only the fields set change.</summary>
    public Task UpdateVariableByNameAsync(string name, VariableUpdate update, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Patch, $"variables/name/{Uri.EscapeDataString(name)}", update, cancellationToken);

    /// <summary>Deletes a variable, by name; 404 when there is none.</summary>
    public Task DeleteVariableByNameAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"variables/name/{Uri.EscapeDataString(name)}", null, cancellationToken);
}
