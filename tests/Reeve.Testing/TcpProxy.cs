using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Reeve.Testing;

/// <summary>
/// A TCP proxy on a loopback port in front of another loopback service, that can cut every connection it carries at
/// once (as a load balancer restart or a network blip does) while still accepting new ones.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly ConcurrentDictionary<int, (TcpClient Client, TcpClient Upstream)> _open = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _accept = Task.CompletedTask;
    private int _next;
    private int _cuts;

    private TcpProxy(IPEndPoint target) => _target = target;

    /// <summary>The proxy's port.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>How many connections <see cref="CutAll"/> has cut so far.</summary>
    public int Cut => Volatile.Read(ref _cuts);

    public static TcpProxy Start(IPEndPoint target)
    {
        var proxy = new TcpProxy(target);
        proxy._listener.Start();
        proxy._accept = Task.Run(proxy.AcceptAsync);
        return proxy;
    }

    /// <summary>Closes every open connection, both ways; returns how many there were.</summary>
    public int CutAll()
    {
        var count = 0;
        foreach (var (id, pair) in _open)
        {
            if (_open.TryRemove(id, out _))
            {
                // The connection may be closing by itself at this moment (its sockets already let go).
                pair.Client.Client?.Close(0);
                pair.Upstream.Client?.Close(0);
                count++;
            }
        }

        Interlocked.Add(ref _cuts, count);
        return count;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => CarryAsync(client));
        }
    }

    private async Task CarryAsync(TcpClient client)
    {
        var upstream = new TcpClient();
        var id = Interlocked.Increment(ref _next);
        try
        {
            await upstream.ConnectAsync(_target, _stop.Token);
            _open[id] = (client, upstream);
            var a = client.GetStream();
            var b = upstream.GetStream();
            await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Cut, or one side closed.
        }
        finally
        {
            _open.TryRemove(id, out _);
            client.Dispose();
            upstream.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        CutAll();
        await _accept;
        _stop.Dispose();
    }
}
