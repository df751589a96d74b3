using System.Runtime.InteropServices;

namespace Reeve.Serving;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM turned into a cancellation, so a long-running process — serving flows, a worker,
/// an engine — stops cleanly instead of dying. Optionally linked to a token that cancels it too.
/// </summary>
internal sealed class ShutdownSignals : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly List<PosixSignalRegistration> _registrations = [];

    public ShutdownSignals(CancellationToken linked = default)
    {
        _source = CancellationTokenSource.CreateLinkedTokenSource(linked);
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                _source.Cancel();
            }));
        }
    }

    public CancellationToken Token => _source.Token;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _source.Dispose();
    }
}
