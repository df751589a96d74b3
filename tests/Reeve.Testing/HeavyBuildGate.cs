namespace Reeve.Testing;

/// <summary>
/// Lets one heavy build at a time (packing the tool, building a flow's image) run across the test processes that
/// <c>dotnet test</c> runs side by side: on two cores, two of them at once each took longer than its own time limit.
/// A lock on a file in the temporary folder, so it holds across processes; waiting for it is not counted against the
/// build's own limit.
/// </summary>
public static class HeavyBuildGate
{
    private static readonly string LockFile = Path.Combine(Path.GetTempPath(), "reeve-tests-heavy-build.lock");

    /// <summary>Waits (up to 30 minutes) until no other heavy build runs; dispose the answer to let the next one go.</summary>
    public static async Task<IDisposable> EnterAsync()
    {
        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromMinutes(30);
        while (true)
        {
            try
            {
                return new FileStream(LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (TimeProvider.System.GetUtcNow() < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250));
            }
        }
    }
}
