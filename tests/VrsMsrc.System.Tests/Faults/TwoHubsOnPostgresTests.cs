using System.Diagnostics;
using Dapper;
using Xunit.Abstractions;
using VrsMsrc.Hub.Configuration;
using VrsMsrc.Node.Outbox;
using VrsMsrc.System.Tests.Infrastructure;

namespace VrsMsrc.System.Tests.Faults;

/// <summary>
/// Two 'vrs-hub serve' processes on one PostgreSQL database, nodes pushing to both at once, one hub
/// killed with SIGKILL mid-run: the database alone orders the two hubs, and the delivery checker
/// finds every release once, the newest version of every month, and the audit chain intact.
/// </summary>
[Collection(FaultSuite.Name)]
[Trait("Category", "Fault")]
[Trait("Store", "postgres")]
public sealed class TwoHubsOnPostgresTests(FaultLedger ledger, ITestOutputHelper output)
{
    private static readonly string[] States = ["GRC", "ITA", "ESP"];

    private static readonly DeliveryPolicy Delivery = FaultRig.QuickDelivery with { AttemptTimeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task Nodes_pushing_to_two_hubs_with_one_killed_mid_run_leave_nothing_missing_or_doubled()
    {
        var clock = Stopwatch.StartNew();
        using var database = new TestPostgres();
        using var first = await HubProcess.StartAsync(new StorageSettings { Provider = StorageSettings.Postgres, ConnectionString = database.ConnectionString });
        using var second = await first.StartAnotherAsync();
        var nodes = States.Select(state => TestNode.Enrolled(first, state)).ToList();
        try
        {
            // Four releases per node: two batches, each corrected once, so months reach version 2.
            foreach (var (node, n) in nodes.Select((node, n) => (node, n)))
            {
                for (var i = 0; i < 4; i++)
                {
                    FaultRig.Release(node, i % 2 == 0 ? "a" : "b", 300, seed: (10 * n) + i, years: 3);
                }
            }

            // Each node runs two publishers at once, one dialling the first hub first and the other the
            // second: every release arrives at both hubs, often at the same moment.
            var both = $"{first.ExchangeUrl},{second.ExchangeUrl}";
            var reversed = $"{second.ExchangeUrl},{first.ExchangeUrl}";
            var drains = nodes.SelectMany(node => new[]
            {
                Task.Run(() => FaultRig.DrainAsync(node.Context.Publisher(Delivery, both), node)),
                Task.Run(() => FaultRig.DrainAsync(node.Context.Publisher(Delivery, reversed), node)),
            }).ToList();

            await FaultRig.WaitUntilAsync(() => Releases(first) >= 4, "four releases were applied", TimeSpan.FromSeconds(60));
            second.Kill();
            var killedAt = Releases(first);
            var results = (await Task.WhenAll(drains)).SelectMany(r => r).ToList();

            Assert.All(results, r => Assert.Equal(0, r.DeadLettered));
            var check = DeliveryChecker.Verify(first.OpenDatabase, [.. nodes.Select(n => n.Context.Database)]);
            Assert.Equal(12, check.Releases);
            using (var stores = first.OpenStores())
            {
                var audit = stores.Audit.Verify();
                Assert.True(audit.Intact, audit.Break?.Reason);
                // Only one hub ever answers "accepted" for a release, so never more than 12. The audit entry
                // follows the apply's commit: the hub killed mid-run may have committed, unaudited, the push
                // each publisher had in flight there (two per node).
                using var connection = first.OpenDatabase();
                Assert.InRange(connection.ExecuteScalar<long>("SELECT COUNT(*) FROM audit WHERE action = 'push' AND outcome = 'accepted'"), 12 - (2 * States.Length), 12);
            }

            var duplicates = results.Sum(r => r.Duplicates);
            output.WriteLine(ledger.Record("two hubs on PostgreSQL, one killed", 1, check, clock.Elapsed,
                $"second hub SIGKILLed after {killedAt} of 12 releases; {results.Sum(r => r.Delivered)} accepted and {duplicates} duplicate receipts over {results.Count} rounds"));
        }
        finally
        {
            foreach (var node in nodes)
            {
                node.Dispose();
            }
        }
    }

    private static long Releases(HubProcess hub)
    {
        using var connection = hub.OpenDatabase();
        return connection.ExecuteScalar<long>("SELECT COUNT(*) FROM releases");
    }
}
