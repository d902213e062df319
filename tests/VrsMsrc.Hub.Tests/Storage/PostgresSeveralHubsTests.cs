using Dapper;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Audit;
using VrsMsrc.Hub.Storage;

namespace VrsMsrc.Hub.Tests.Storage;

/// <summary>
/// Two hub processes on one PostgreSQL database (two connection pools and two sets of store objects):
/// what orders them is the database alone.
/// </summary>
[Trait("Category", "Unit")]
[Trait("Store", "postgres")]
public sealed class PostgresSeveralHubsTests : IDisposable
{
    private readonly TempHubStore _store = new(StoreProvider.Postgres);
    private readonly HubStores _other;

    public PostgresSeveralHubsTests()
    {
        _other = _store.AnotherProcess();
    }

    public void Dispose()
    {
        _other.Dispose();
        _store.Dispose();
    }

    private static Release Totals(string state, params (string Month, long Version, long Value)[] months) =>
        TempHubStore.Release(state, months.Select(m => (m.Month, m.Version, "totals", Array.Empty<string>(), "migrants", m.Value)).ToArray());

    [Fact]
    public async Task One_release_arriving_at_both_hubs_at_once_is_applied_exactly_once()
    {
        for (var round = 0; round < 20; round++)
        {
            var release = Totals("ITA", ($"2024-{round % 12 + 1:D2}", round + 1, 100 + round));
            var sha = Guid.NewGuid().ToString("N");

            var results = await Task.WhenAll(
                Task.Run(() => _store.Cells.ApplyAsync(release.Checked(), sha, DateTimeOffset.UtcNow, null, CancellationToken.None)),
                Task.Run(() => _other.Cells.ApplyAsync(release.Checked(), sha, DateTimeOffset.UtcNow, null, CancellationToken.None)));

            Assert.Equal([ApplyOutcome.Accepted, ApplyOutcome.Duplicate], results.Select(r => r.Outcome).Order());
        }

        using var connection = _store.Open();
        Assert.Equal(20, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM releases"));
        Assert.Equal(20, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM release_chain WHERE state = 'ITA'"));
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), connection.Query<long>("SELECT seq FROM release_chain WHERE state = 'ITA' ORDER BY seq"));
    }

    [Fact]
    public async Task Versions_of_one_month_sent_to_both_hubs_in_any_order_leave_the_newest()
    {
        var versions = Enumerable.Range(1, 30).Select(v => Totals("GRC", ("2024-01", v, 1000 + v))).ToList();

        // Odd versions go to one hub, even ones to the other, all at once.
        await Task.WhenAll(versions.Select((r, i) => Task.Run(() =>
            (i % 2 == 0 ? _store.Stores : _other).Cells.ApplyAsync(r.Checked(), Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow, null, CancellationToken.None))));

        var cells = _store.Cells.Cells(new CellQuery("totals", "migrants", 0, null, null, ["GRC"], []));
        Assert.Equal([1030L], cells.Select(c => c.Value));
        using var connection = _store.Open();
        Assert.Equal(30L, connection.ExecuteScalar<long>("SELECT version FROM month_versions WHERE state = 'GRC' AND tbl = 'totals'"));
    }

    [Fact]
    public async Task The_audit_chain_stays_one_chain_when_both_hubs_append_at_once()
    {
        await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(() =>
            (i % 2 == 0 ? _store.Stores : _other).Audit.Append("test", "append", AuditOutcome.Ok, AuditChain.Detail(("i", i))))));

        var verification = _store.Stores.Audit.Verify();
        Assert.True(verification.Intact, verification.Break?.Reason);
        Assert.Equal(100, verification.Entries);
    }

    [Fact]
    public void The_second_hub_starting_on_a_migrated_database_changes_nothing()
    {
        using var third = _store.AnotherProcess();
        using var connection = _store.Open();
        // Each script once, however many hubs started on the database.
        Assert.Equal(
            connection.ExecuteScalar<long>("SELECT COUNT(DISTINCT version) FROM schema_migrations"),
            connection.ExecuteScalar<long>("SELECT COUNT(*) FROM schema_migrations"));
        Assert.Null(third.SchemaProblem());
        Assert.NotEmpty(third.Cells.Corridors());
        Assert.Equal(_store.Cells.Corridors().Count, third.Cells.Corridors().Count);
    }
}
