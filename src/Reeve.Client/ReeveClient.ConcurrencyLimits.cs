using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Reeve.Core.ConcurrencyLimits;
using Reeve.Core.Json;

namespace Reeve.Client;

/// <summary>What <see cref="ReeveClient.IncrementSlotsAsync"/> got: the slots, or how long to wait before asking again.</summary>
/// <param name="Granted">The limits whose slots were taken; null when they were refused.</param>
/// <param name="RetryAfter">When refused, how long the server suggests waiting.</param>
public sealed record SlotsAnswer(IReadOnlyList<SlotsLimit>? Granted, TimeSpan RetryAfter);

public sealed partial class ReeveClient
{
    /// <summary>Creates a global concurrency limit (<c>POST /api/v2/concurrency_limits/</c>).</summary>
    public Task<GlobalConcurrencyLimit> CreateGlobalConcurrencyLimitAsync(GlobalConcurrencyLimitCreate limit, CancellationToken cancellationToken = default) =>
        SendAsync<GlobalConcurrencyLimit>(HttpMethod.Post, "v2/concurrency_limits/", limit, cancellationToken);

    /// <summary>Reads a global concurrency limit by id or name.</summary>
    public Task<GlobalConcurrencyLimit> ReadGlobalConcurrencyLimitAsync(string idOrName, CancellationToken cancellationToken = default) =>
        SendAsync<GlobalConcurrencyLimit>(HttpMethod.Get, $"v2/concurrency_limits/{Segment(idOrName)}", null, cancellationToken);

    /// <summary>Lists global concurrency limits, by name.</summary>
    public async Task<IReadOnlyList<GlobalConcurrencyLimit>> FilterGlobalConcurrencyLimitsAsync(int? limit = null, int offset = 0, CancellationToken cancellationToken = default) =>
        await SendAsync<List<GlobalConcurrencyLimit>>(HttpMethod.Post, "v2/concurrency_limits/filter", new GlobalConcurrencyLimitFilterRequest { Limit = limit, Offset = offset }, cancellationToken);

    /// <summary>Changes a global concurrency limit, by id or name; only the fields set change.</summary>
    public Task UpdateGlobalConcurrencyLimitAsync(string idOrName, GlobalConcurrencyLimitUpdate update, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Patch, $"v2/concurrency_limits/{Segment(idOrName)}", update, cancellationToken);

    /// <summary>Deletes a global concurrency limit, by id or name.</summary>
    public Task DeleteGlobalConcurrencyLimitAsync(string idOrName, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"v2/concurrency_limits/{Segment(idOrName)}", null, cancellationToken);

    /// <summary>
    /// Asks for slots of every limit named (all or none). A refusal (423) is an answer, not an error: it says how long
    /// to wait before asking again. <c>Concurrency.AcquireAsync</c> in the SDK waits and asks again for you.
    /// </summary>
    public async Task<SlotsAnswer> IncrementSlotsAsync(SlotsIncrement request, CancellationToken cancellationToken = default)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "v2/concurrency_limits/increment")
        {
            Content = JsonContent.Create(request, options: ReeveJson.Default),
        };
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(message, cancellationToken);
        }
        catch (HttpRequestException e) when (e.InnerException is System.Net.Sockets.SocketException || e.HttpRequestError == HttpRequestError.ConnectionError)
        {
            throw ReeveServerUnavailableException.At(Options.ApiUrl, e);
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.Locked)
            {
                // Prefect's servers send fractional seconds ("1.5"), which the typed header does not take.
                var raw = response.Headers.TryGetValues("Retry-After", out var values) ? values.FirstOrDefault() : null;
                var seconds = double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s >= 0 ? s : 1;
                return new SlotsAnswer(null, TimeSpan.FromSeconds(Math.Min(seconds, 3600)));
            }

            if (!response.IsSuccessStatusCode)
            {
                throw await ToExceptionAsync(response, cancellationToken);
            }

            var granted = await response.Content.ReadFromJsonAsync<List<SlotsLimit>>(ReeveJson.Default, cancellationToken);
            return new SlotsAnswer(granted ?? [], TimeSpan.Zero);
        }
    }

    /// <summary>Gives back slots taken with <see cref="IncrementSlotsAsync"/>.</summary>
    public async Task<IReadOnlyList<SlotsLimit>> DecrementSlotsAsync(SlotsDecrement request, CancellationToken cancellationToken = default) =>
        await SendAsync<List<SlotsLimit>>(HttpMethod.Post, "v2/concurrency_limits/decrement", request, cancellationToken);
}
