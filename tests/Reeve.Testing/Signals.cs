using System.Runtime.InteropServices;

namespace Reeve.Testing;

/// <summary>Sends POSIX signals to processes a test started.</summary>
public static partial class Signals
{
    public const int SigTerm = 15;
    public const int SigKill = 9;
    public const int SigInt = 2;

    public static void Send(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
