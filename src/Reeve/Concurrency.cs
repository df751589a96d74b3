using Reeve.Client;
using Reeve.Core.ConcurrencyLimits;
using Reeve.Engine;

namespace Reeve;

/// <summary>
/// Global concurrency and rate limits on the Reeve server (Prefect's <c>concurrency()</c> and <c>rate_limit()</c>):
/// a limit named, say, <c>"warehouse"</c> with 3 slots lets at most three holders in at once, across every flow, task
/// and process. A limit that does not exist is created inactive (it limits nothing until someone sets it).
/// </summary>
/// <example>
/// <code>
/// await using (await Concurrency.AcquireAsync("warehouse"))
/// {
///     await LoadAsync();   // at most as many at once as the limit allows
/// }
/// </code>
/// </example>
public static class Concurrency
{
    /// <summary>
    /// Takes <paramref name="occupy"/> slots of limit <paramref name="name"/>, waiting while they are taken (as long
    /// as the server suggests each time, at most <paramref name="timeout"/> in all); dispose the lease to give them back.
    /// </summary>
    /// <exception cref="TimeoutException">The slots were not free within <paramref name="timeout"/>.</exception>
    public static Task<ConcurrencyLease> AcquireAsync(string name, int occupy = 1, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        AcquireAsync([name], occupy, timeout, cancellationToken);

    /// <summary>Takes <paramref name="occupy"/> slots of every limit named, all together, waiting while any is full.</summary>
    /// <exception cref="TimeoutException">The slots were not free within <paramref name="timeout"/>.</exception>
    public static async Task<ConcurrencyLease> AcquireAsync(IReadOnlyList<string> names, int occupy = 1, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        await TakeAsync(names, occupy, "concurrency", timeout, cancellationToken);
        return new ConcurrencyLease(Client, [.. names], occupy, TimeProvider.System.GetTimestamp());
    }

    /// <summary>
    /// Waits until <paramref name="occupy"/> slots of the rate limit <paramref name="name"/> are free and takes them;
    /// they free themselves at the limit's decay rate, so nothing is given back.
    /// </summary>
    /// <exception cref="TimeoutException">The slots were not free within <paramref name="timeout"/>.</exception>
    public static Task RateLimitAsync(string name, int occupy = 1, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        TakeAsync([name], occupy, "rate_limit", timeout, cancellationToken);

    private static async Task TakeAsync(IReadOnlyList<string> names, int occupy, string mode, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var client = Client;
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            var answer = await client.IncrementSlotsAsync(new SlotsIncrement { Slots = occupy, Names = [.. names], Mode = mode }, cancellationToken);
            if (answer.Granted is not null)
            {
                return;
            }

            // As asked, with a little jitter so that waiting holders do not all ask again at the same instant.
            var pause = answer.RetryAfter + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 100));
            if (timeout is { } limit && TimeProvider.System.GetElapsedTime(started) + pause > limit)
            {
                throw new TimeoutException($"The slots of {string.Join(", ", names.Select(n => $"'{n}'"))} were not free within {limit.TotalSeconds:0.###} s.");
            }

            await Task.Delay(pause, cancellationToken);
        }
    }

    internal static ReeveClient Client => ReeveRuntime.RequireClient("Concurrency limits live");
}

/// <summary>Slots taken with <see cref="Concurrency.AcquireAsync(string, int, TimeSpan?, CancellationToken)"/>; disposing it gives them back.</summary>
public sealed class ConcurrencyLease : IAsyncDisposable
{
    private readonly ReeveClient _client;
    private readonly List<string> _names;
    private readonly int _slots;
    private readonly long _taken;
    private int _released;

    internal ConcurrencyLease(ReeveClient client, List<string> names, int slots, long taken)
    {
        _client = client;
        _names = names;
        _slots = slots;
        _taken = taken;
    }

    /// <summary>The limits this lease holds slots of.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>Gives the slots back (once), saying how long they were held.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) == 1)
        {
            return;
        }

        var held = Math.Max(TimeProvider.System.GetElapsedTime(_taken).TotalSeconds, 0.001);
        await _client.DecrementSlotsAsync(new SlotsDecrement { Slots = _slots, Names = _names, OccupancySeconds = held }, CancellationToken.None);
    }
}
