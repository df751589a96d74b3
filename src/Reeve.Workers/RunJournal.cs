namespace Reeve.Workers;

/// <summary>
/// The ids of the runs a worker holds, kept in a file, so that the next worker given the file (the same server after a
/// restart) knows which runs were its own and takes them back. One id per line, replaced whole on every change (written
/// beside it, flushed to disk, renamed over it: never seen half-written, readable at any time). While the worker runs
/// it holds a lock on <c>FILE.lock</c>; the lock is the operating system's and goes with the process.
/// </summary>
internal sealed class RunJournal : IDisposable
{
    private readonly FileStream _lock;
    private readonly string _path;
    private readonly HashSet<Guid> _ids;
    private readonly Lock _gate = new();
    private readonly Action<string> _problem;
    private bool _closed;

    private RunJournal(FileStream @lock, string path, HashSet<Guid> ids, Action<string> problem)
    {
        _lock = @lock;
        _path = path;
        _ids = ids;
        _problem = problem;
    }

    /// <summary>The runs the journal held when it was opened: the previous worker's.</summary>
    public IReadOnlyCollection<Guid> Previous { get; private init; } = [];

    /// <summary>
    /// Opens the first of <paramref name="path"/>, <c>path-2</c>, <c>path-3</c>... that no running process holds (two
    /// servers sharing one home each get their own), or null with the reason when none can be opened. A write that
    /// fails later (a full disk) is told to <paramref name="onProblem"/>; the worker goes on without it.
    /// </summary>
    public static RunJournal? Open(string path, Action<string> onProblem, out string? problem)
    {
        problem = null;
        for (var copy = 1; copy <= 8; copy++)
        {
            var name = copy == 1 ? path : $"{Path.ChangeExtension(path, null)}-{copy}{Path.GetExtension(path)}";
            FileStream? held = null;
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(name))!);
                held = new FileStream(name + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                var ids = new HashSet<Guid>();

                // A line that is not an id is left out, not fatal.
                foreach (var line in File.Exists(name) ? File.ReadAllLines(name) : [])
                {
                    if (Guid.TryParse(line, out var id))
                    {
                        ids.Add(id);
                    }
                }

                return new RunJournal(held, name, ids, onProblem) { Previous = [.. ids] };
            }
            catch (IOException e) when (copy < 8)
            {
                held?.Dispose();
                problem = e.Message;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                held?.Dispose();
                problem = e.Message;
                return null;
            }
        }

        return null;
    }

    /// <summary>Records runs as held, before they are submitted.</summary>
    public void Add(IEnumerable<Guid> ids) => Change(held => held.UnionWith(ids));

    /// <summary>Records runs as no longer held.</summary>
    public void Remove(IEnumerable<Guid> ids) => Change(held => held.ExceptWith(ids));

    /// <summary>
    /// Changes the held runs and writes them when they changed; once the worker stopped (a run followed on after it),
    /// the file stays as the worker left it.
    /// </summary>
    private void Change(Action<HashSet<Guid>> change)
    {
        lock (_gate)
        {
            var before = _ids.Count;
            change(_ids);
            if (!_closed && _ids.Count != before)
            {
                Write();
            }
        }
    }

    private void Write()
    {
        var next = _path + ".next";
        try
        {
            using (var file = new FileStream(next, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                file.Write(System.Text.Encoding.ASCII.GetBytes(string.Concat(_ids.Select(id => id + "\n"))));
                file.Flush(flushToDisk: true);
            }

            File.Move(next, _path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _problem($"Could not write the journal of held flow runs ({_path}): {e.Message}");
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _closed = true;
            _lock.Dispose();
        }
    }
}
