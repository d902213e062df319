using Microsoft.Extensions.Logging;
using VrsMsrc.Node.Outbox;
using VrsMsrc.Node.Release;
using VrsMsrc.System.Tests.Infrastructure;

namespace VrsMsrc.System.Tests.Faults;

/// <summary>A hub process, the fault proxy in front of it, and nodes that reach the hub only through the proxy.</summary>
internal sealed class FaultRig : IAsyncDisposable
{
    /// <summary>Delivery tuned for tests: the same pipeline as production, with its waits in milliseconds.</summary>
    public static readonly DeliveryPolicy QuickDelivery = new()
    {
        MaxRetries = 8,
        FirstRetryDelay = TimeSpan.FromMilliseconds(50),
        MaxRetryDelay = TimeSpan.FromMilliseconds(400),
        FirstBreak = TimeSpan.FromSeconds(1),
        MaxBreak = TimeSpan.FromSeconds(1),
        AttemptTimeout = TimeSpan.FromSeconds(1),
        SlowestLinkBytesPerSecond = 1 << 20,
    };

    private readonly List<TestNode> _nodes = [];

    private FaultRig(HubProcess hub)
    {
        Hub = hub;
        Proxy = new FaultProxy(hub.ExchangePort);
    }

    public HubProcess Hub { get; }
    public FaultProxy Proxy { get; }

    public static async Task<FaultRig> StartAsync() => new(await HubProcess.StartAsync());

    public TestNode Node(string state, TimeProvider? time = null, ILogger? log = null)
    {
        var node = TestNode.Enrolled(Hub, state, hubUrl: Proxy.Url, time: time, log: log);
        _nodes.Add(node);
        return node;
    }

    /// <summary>Starts the hub again after a kill; it takes a new port, which the proxy follows.</summary>
    public async Task RestartHubAsync()
    {
        await Hub.RestartAsync();
        Proxy.UpstreamPort = Hub.ExchangePort;
    }

    /// <summary>
    /// Imports a batch and releases it. Refs are "REF-{state}-{batch}-{i}": a batch name already used
    /// corrects those incidents (new values, same record keys), a new one adds incidents.
    /// </summary>
    public static BuiltRelease Release(TestNode node, string batch, int rows, int seed, int years = 2)
    {
        Import(node, batch, rows, seed, years);
        return node.Context.Releases().Release() ?? throw new InvalidOperationException("nothing changed");
    }

    public static void Import(TestNode node, string batch, int rows, int seed, int years = 2)
    {
        var state = node.Context.Settings.State;
        var csv = SyntheticIncidents.Csv(state, rows, seed, years).Replace($"REF-{state}-", $"REF-{state}-{batch}-", StringComparison.Ordinal);
        var summary = node.Context.Importer().ImportFile(node.WriteFile($"{batch}-{seed}.csv", csv), "incidents", null);
        Assert.Equal(rows, summary.Stored);
    }

    /// <summary>Rounds of publishing, as 'serve' does them, until the outbox is empty.</summary>
    public static async Task<List<PublishResult>> DrainAsync(Publisher publisher, TestNode node, int maxRounds = 40)
    {
        var results = new List<PublishResult>();
        for (var round = 0; round < maxRounds; round++)
        {
            results.Add(await publisher.PublishAsync(CancellationToken.None));
            if (node.Context.Outbox.Counts().Pending == 0)
            {
                return results;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"outbox not drained after {maxRounds} rounds: {string.Join("; ", results.Select(r => r.LastError))}");
    }

    public DeliveryCheck Verify() => DeliveryChecker.Verify(Hub.Database, [.. _nodes.Select(n => n.Context.Database)]);

    /// <summary>Polls until <paramref name="condition"/> holds; fails saying what was awaited.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting until {what}");
            }

            await Task.Delay(5);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Proxy.DisposeAsync();
        Hub.Dispose();
        foreach (var node in _nodes)
        {
            node.Dispose();
        }
    }
}
