using System.Globalization;
using System.Runtime.InteropServices;

namespace Reeve.Workers.Process;

/// <summary>The processes a flow run's process started, and signals to them (Linux and macOS).</summary>
internal static partial class ProcessTree
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    /// <summary>Every live descendant of <paramref name="root"/>, read from <c>/proc</c> (empty where there is none).</summary>
    public static IReadOnlyList<int> Descendants(int root)
    {
        var parents = new Dictionary<int, List<int>>();
        if (!Directory.Exists("/proc"))
        {
            return [];
        }

        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var ppid = int.Parse(fields[1], CultureInfo.InvariantCulture);
                if (!parents.TryGetValue(ppid, out var children))
                {
                    parents[ppid] = children = [];
                }

                children.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
            {
                // It ended while we read.
            }
        }

        var found = new List<int>();
        var pending = new Queue<int>([root]);
        while (pending.TryDequeue(out var pid))
        {
            foreach (var child in parents.GetValueOrDefault(pid) ?? [])
            {
                found.Add(child);
                pending.Enqueue(child);
            }
        }

        return found;
    }

    /// <summary>Sends <paramref name="signal"/>; false when the process is gone.</summary>
    public static bool Signal(int pid, int signal) => OperatingSystem.IsWindows() ? false : Kill(pid, signal) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int sig);
}
