using Xunit.Abstractions;
using VrsMsrc.Contracts.CodeLists;
using VrsMsrc.Node.Outbox;
using VrsMsrc.System.Tests.Infrastructure;

namespace VrsMsrc.System.Tests;

/// <summary>Many nodes pushing at the same moment: the hub's single SQLite writer queues them; none is turned away.</summary>
[Trait("Category", "System")]
public sealed class ConcurrentPushTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Thirty_nodes_pushing_at_once_all_get_through_first_time()
    {
        using var hub = await HubProcess.StartAsync();
        var states = Codes.Nationalities.Entries.Select(e => e.Code).Where(Codes.IsCountry).Order(StringComparer.Ordinal).Take(30).ToList();
        var nodes = states.Select(state => TestNode.Enrolled(hub, state)).ToList();
        try
        {
            foreach (var (node, i) in nodes.Select((n, i) => (n, i)))
            {
                var state = node.Context.Settings.State;
                node.Context.Importer().ImportFile(node.WriteFile("a.csv", SyntheticIncidents.Csv(state, 200, seed: 100 + i)), "incidents", null);
                Assert.NotNull(node.Context.Releases().Release());
            }

            // No retries: any "database is locked", timeout or refusal would show as a release left pending.
            var once = new DeliveryPolicy { MaxRetries = 0, BreakAfterFailures = 1000 };
            using var start = new SemaphoreSlim(0);
            var pushes = nodes.Select(node => Task.Run(async () =>
            {
                var publisher = node.Context.Publisher(once);
                await start.WaitAsync();
                return await publisher.PublishAsync(CancellationToken.None);
            })).ToList();
            var timer = global::System.Diagnostics.Stopwatch.StartNew();
            start.Release(nodes.Count);
            var results = await Task.WhenAll(pushes);

            Assert.All(results, r => Assert.Equal((1, 0, null), (r.Delivered, r.StillPending, r.LastError)));
            Assert.DoesNotContain(hub.Log, l => l.Contains("locked", StringComparison.OrdinalIgnoreCase) || l.Contains("Could not store", StringComparison.Ordinal));
            var check = DeliveryChecker.Verify(hub.Database, [.. nodes.Select(n => n.Context.Database)]);
            output.WriteLine($"{nodes.Count} nodes pushed {check.Cells} cells at once in {timer.Elapsed.TotalSeconds:F1} s; all accepted first time");
        }
        finally
        {
            nodes.ForEach(n => n.Dispose());
        }
    }
}
