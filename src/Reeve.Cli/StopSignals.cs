using System.Runtime.InteropServices;

namespace Reeve.Cli;

/// <summary>SIGTERM and Ctrl+C (SIGINT) as a cancellation, so long-running commands can stop cleanly instead of dying.</summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly PosixSignalRegistration _term;
    private readonly PosixSignalRegistration _interrupt;

    public StopSignals(CancellationToken linked)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(linked);
        _term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
    }

    public CancellationToken Token => _stop.Token;

    private void Handle(PosixSignalContext context)
    {
        context.Cancel = true;
        _stop.Cancel();
    }

    public void Dispose()
    {
        _term.Dispose();
        _interrupt.Dispose();
        _stop.Dispose();
    }
}
