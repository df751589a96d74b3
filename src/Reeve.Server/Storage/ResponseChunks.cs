using System.Runtime.CompilerServices;

namespace Reeve.Server.Storage;

/// <summary>
/// Answers a filter a few rows at a time: the matching ids are read first (so a bad filter is refused before the
/// answer starts), then the rows are read, turned into wire objects and written out <see cref="Size"/> at a time.
/// However large each run's parameters or each log line, a filter answer holds at most one chunk in memory.
/// </summary>
internal static class ResponseChunks
{
    /// <summary>Rows read and written at a time.</summary>
    public const int Size = 25;

    /// <summary>The wire objects of <paramref name="ids"/>, in their order, loaded a chunk at a time (a row deleted meanwhile is left out).</summary>
    public static async IAsyncEnumerable<T> StreamAsync<T>(IReadOnlyList<Guid> ids, Func<Guid[], CancellationToken, Task<Dictionary<Guid, T>>> load,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var chunk in ids.Chunk(Size))
        {
            var loaded = await load(chunk, cancellationToken);
            foreach (var id in chunk)
            {
                if (loaded.TryGetValue(id, out var item))
                {
                    yield return item;
                }
            }
        }
    }
}
