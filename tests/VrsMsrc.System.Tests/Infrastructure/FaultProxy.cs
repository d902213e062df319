using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace VrsMsrc.System.Tests.Infrastructure;

internal enum FaultKind
{
    /// <summary>Close the connection politely (FIN), as a middlebox dropping an idle or long flow does.</summary>
    Drop,

    /// <summary>Tear the connection down (RST), as a crashing peer or a firewall does.</summary>
    Reset,

    /// <summary>Accept, then swallow every byte and answer nothing: a line that silently stopped carrying packets.</summary>
    BlackHole,
}

/// <summary>A fault for one connection: strikes once the node has sent <paramref name="AfterNodeBytes"/> bytes on it.</summary>
internal sealed record Fault(FaultKind Kind, long AfterNodeBytes = 0);

/// <summary>
/// A TCP proxy on loopback between nodes and the hub. It never looks inside the bytes: TLS runs end to
/// end from node to hub, so certificates and mutual authentication are exactly as without it. It can
/// delay every read, fail connections (planned one by one, or every new one while the hub is "down"),
/// lose the hub's answers, and reset every open connection at once. Each fault it injects is counted.
/// </summary>
internal sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Link, byte> _links = new();
    private readonly ConcurrentQueue<Fault> _planned = new();
    private readonly Task _accepting;
    private long _faults;
    private long _refused;
    private long _nodeBytes;
    private long _holdAfter = long.MaxValue;

    public FaultProxy(int upstreamPort)
    {
        UpstreamPort = upstreamPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>What nodes dial: "localhost" because the hub's certificate names it.</summary>
    public string Url => $"https://localhost:{Port}";

    /// <summary>The hub's exchange port; changes when a killed hub is started again.</summary>
    public int UpstreamPort { get; set; }

    /// <summary>When set, every new connection suffers this fault: the hub is unreachable or the line dead.</summary>
    public FaultKind? Outage { get; set; }

    /// <summary>Added to every read in both directions: a slow, distant line.</summary>
    public TimeSpan Latency { get; set; }

    public long FaultsInjected => Interlocked.Read(ref _faults);

    /// <summary>Connections that found the hub down: consequences of a fault, not counted as faults.</summary>
    public long ConnectionsRefused => Interlocked.Read(ref _refused);

    /// <summary>Bytes nodes sent through the proxy so far, over all connections.</summary>
    public long NodeBytes => Interlocked.Read(ref _nodeBytes);

    /// <summary>The next connections, one fault each, before <see cref="Outage"/> applies.</summary>
    public void Plan(params Fault[] faults)
    {
        foreach (var fault in faults)
        {
            _planned.Enqueue(fault);
        }
    }

    /// <summary>
    /// From now on the hub's bytes are lost on every connection once the node has sent this many on it:
    /// the hub received everything and answered, and the node never hears of it.
    /// </summary>
    public void LoseAnswersAfter(long nodeBytes) => Interlocked.Exchange(ref _holdAfter, nodeBytes);

    public void StopLosingAnswers() => Interlocked.Exchange(ref _holdAfter, long.MaxValue);

    /// <summary>Resets every open connection; returns how many there were.</summary>
    public int ResetAll()
    {
        var count = 0;
        foreach (var link in _links.Keys)
        {
            link.Close(FaultKind.Reset);
            Interlocked.Increment(ref _faults);
            count++;
        }

        return count;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket node;
            try
            {
                node = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(node));
        }
    }

    private async Task ServeAsync(Socket node)
    {
        var fault = _planned.TryDequeue(out var planned) ? planned : Outage is { } outage ? new Fault(outage) : null;
        if (fault is { AfterNodeBytes: 0 })
        {
            Interlocked.Increment(ref _faults);
            if (fault.Kind == FaultKind.BlackHole)
            {
                await SwallowAsync(node);
            }
            else
            {
                new Link(node, null).Close(fault.Kind);
            }

            return;
        }

        var hub = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await hub.ConnectAsync(new IPEndPoint(IPAddress.Loopback, UpstreamPort), _stop.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            // The hub is down: the node sees what it would see without the proxy, a refused connection.
            hub.Dispose();
            Interlocked.Increment(ref _refused);
            new Link(node, null).Close(FaultKind.Reset);
            return;
        }

        var link = new Link(node, hub) { Fault = fault };
        _links[link] = 0;
        try
        {
            await Task.WhenAll(PumpAsync(link, fromNode: true), PumpAsync(link, fromNode: false));
        }
        finally
        {
            _links.TryRemove(link, out _);
            link.Close(FaultKind.Drop);
        }
    }

    private async Task PumpAsync(Link link, bool fromNode)
    {
        var (from, to) = fromNode ? (link.Node, link.Hub!) : (link.Hub!, link.Node);
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                if (Latency > TimeSpan.Zero)
                {
                    await Task.Delay(Latency, _stop.Token);
                }

                if (fromNode)
                {
                    var sent = Interlocked.Add(ref link.NodeBytes, read);
                    Interlocked.Add(ref _nodeBytes, read);
                    if (link.Fault is { } fault && !link.BlackHoled && sent >= fault.AfterNodeBytes)
                    {
                        Interlocked.Increment(ref _faults);
                        if (fault.Kind != FaultKind.BlackHole)
                        {
                            link.Close(fault.Kind);
                            return;
                        }

                        link.BlackHoled = true;
                    }
                }

                if (link.BlackHoled)
                {
                    continue;
                }

                if (!fromNode && Interlocked.Read(ref link.NodeBytes) >= Interlocked.Read(ref _holdAfter))
                {
                    if (!link.LosingAnswers)
                    {
                        link.LosingAnswers = true;
                        Interlocked.Increment(ref _faults);
                    }

                    continue;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            link.Close(FaultKind.Drop);
        }
    }

    private async Task SwallowAsync(Socket node)
    {
        var link = new Link(node, null);
        _links[link] = 0;
        try
        {
            var buffer = new byte[16 * 1024];
            while (await node.ReceiveAsync(buffer, SocketFlags.None, _stop.Token) > 0)
            {
                // Read and forget, so the node's writes never block and it learns nothing.
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The node gave up, or the test is over.
        }
        finally
        {
            _links.TryRemove(link, out _);
            link.Close(FaultKind.Drop);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var link in _links.Keys)
        {
            link.Close(FaultKind.Reset);
        }

        await _accepting;
        _stop.Dispose();
    }

    /// <summary>One node connection and, unless refused, its connection to the hub.</summary>
    private sealed class Link(Socket node, Socket? hub)
    {
        private int _closed;
        public long NodeBytes;

        public Socket Node => node;
        public Socket? Hub => hub;
        public Fault? Fault { get; init; }
        public bool LosingAnswers { get; set; }

        /// <summary>Both directions are read and dropped from now on; the connection stays open.</summary>
        public volatile bool BlackHoled;

        public void Close(FaultKind how)
        {
            if (Interlocked.Exchange(ref _closed, 1) == 1)
            {
                return;
            }

            foreach (var socket in new[] { node, hub })
            {
                if (socket is null)
                {
                    continue;
                }

                try
                {
                    if (how == FaultKind.Reset)
                    {
                        // Linger zero makes close() send RST instead of FIN.
                        socket.LingerState = new LingerOption(true, 0);
                    }
                    else
                    {
                        socket.Shutdown(SocketShutdown.Both);
                    }
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    // Already gone: closing is all that is left.
                }

                socket.Dispose();
            }
        }
    }
}
