using Dapper;
using System.Data.Common;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Storage;

namespace VrsMsrc.Hub.Tests;

/// <summary>How the hub's store applies releases that arrive late, twice, out of order or all at once.</summary>
[Trait("Category", "Unit")]
public abstract class ReleaseApplyTests(StoreProvider provider) : IDisposable
{
    private readonly TempHubStore _store = new(provider);

    public void Dispose()
    {
        _store.Dispose();
        GC.SuppressFinalize(this);
    }

    private static Release Totals(string state, params (string Month, long Version, long Value)[] months) =>
        TempHubStore.Release(state, months.Select(m => (m.Month, m.Version, "totals", Array.Empty<string>(), "migrants", m.Value)).ToArray());

    private long Count(string table)
    {
        using var connection = _store.Open();
        return connection.ExecuteScalar<long>(table == "cells" ? "SELECT COUNT(*) FROM cells" : "SELECT COUNT(*) FROM releases");
    }

    private List<(string Month, long Version, long Value)> Stored(string state)
    {
        using var connection = _store.Open();
        return connection.Query<(string, long, long)>(
            """
            SELECT v.month, v.version, c.value FROM month_versions v
            JOIN cells c ON c.state = v.state AND c.month = v.month AND c.tbl = v.tbl
            WHERE v.state = @state AND v.tbl = 'totals' ORDER BY v.month
            """, new { state }).ToList();
    }

    [Fact]
    public void Versions_arriving_out_of_order_leave_the_newest_in_place()
    {
        var v1 = Totals("ITA", ("2024-01", 1, 100), ("2024-02", 1, 200));
        var v2 = Totals("ITA", ("2024-01", 2, 110));
        var v3 = Totals("ITA", ("2024-01", 3, 120), ("2024-02", 2, 210));

        // Sent v1, v2, v3; they arrive v3, v1, v2.
        var results = new[] { v3, v1, v2 }.Select(r => _store.Apply(r)).ToList();

        Assert.Equal([(2, 0), (0, 2), (0, 1)], results.Select(r => (r.MonthsApplied, r.MonthsIgnored)));
        Assert.All(results, r => Assert.Equal(ApplyOutcome.Accepted, r.Outcome));
        Assert.Equal([("2024-01", 3L, 120L), ("2024-02", 2L, 210L)], Stored("ITA"));
    }

    [Fact]
    public void A_release_arriving_twice_is_a_duplicate_even_after_newer_ones()
    {
        var v1 = Totals("ITA", ("2024-01", 1, 100));
        var v2 = Totals("ITA", ("2024-01", 2, 110));
        _store.Apply(v1, "11");
        _store.Apply(v2, "22");

        var again = _store.Apply(v1, "11");

        Assert.Equal((ApplyOutcome.Duplicate, 0, 0), (again.Outcome, again.MonthsApplied, again.MonthsIgnored));
        Assert.Equal([("2024-01", 2L, 110L)], Stored("ITA"));
        Assert.Equal(2, Count("releases"));
    }

    [Fact]
    public void One_release_may_carry_months_newer_and_older_than_the_hub_holds()
    {
        _store.Apply(Totals("ITA", ("2024-01", 1, 100), ("2024-02", 1, 200)));
        _store.Apply(Totals("ITA", ("2024-02", 3, 230)));

        var mixed = _store.Apply(Totals("ITA", ("2024-01", 2, 110), ("2024-02", 2, 220)));

        Assert.Equal((1, 1), (mixed.MonthsApplied, mixed.MonthsIgnored));
        Assert.Equal([("2024-01", 2L, 110L), ("2024-02", 3L, 230L)], Stored("ITA"));
    }

    [Fact]
    public void The_same_version_from_another_release_does_not_replace_what_is_there()
    {
        _store.Apply(Totals("ITA", ("2024-01", 1, 100)));
        var replay = _store.Apply(Totals("ITA", ("2024-01", 1, 999)));

        Assert.Equal((0, 1), (replay.MonthsApplied, replay.MonthsIgnored));
        Assert.Equal([("2024-01", 1L, 100L)], Stored("ITA"));
    }

    [Fact]
    public void A_newer_month_replaces_every_table_of_the_month_even_one_the_release_leaves_out()
    {
        _store.Apply(TempHubStore.Release("ITA",
            ("2024-01", 1, "totals", [], "migrants", 100),
            ("2024-01", 1, "corridors", ["central_mediterranean", "sea"], "migrants", 60)));

        // A hand-made release whose month carries the totals only: the month is replaced, never merged.
        var partial = TempHubStore.Release("ITA", ("2024-01", 2, "totals", [], "migrants", 110));
        var kept = partial.Months[0].Tables.Single(t => t.Table == "totals");
        partial.Months[0].Tables.Clear();
        partial.Months[0].Tables.Add(kept);
        Assert.Equal(1, _store.Apply(partial).MonthsApplied);

        Assert.Equal([("2024-01", 2L, 110L)], Stored("ITA"));
        var corridors = new CellQuery("corridors", "migrants", 2, null, null, ["ITA"], []);
        Assert.Empty(_store.Cells.Cells(corridors));
        Assert.Equal([("ITA", "2024-01")], _store.Cells.Coverage(corridors));
        Assert.Equal(1, Count("cells"));
    }

    [Fact]
    public void Versions_are_kept_per_state()
    {
        _store.Apply(Totals("ITA", ("2024-01", 5, 100)));
        var other = _store.Apply(Totals("GRC", ("2024-01", 1, 40)));

        Assert.Equal(1, other.MonthsApplied);
        Assert.Equal([("2024-01", 1L, 40L)], Stored("GRC"));
    }

    [Fact]
    public void A_release_that_fails_in_its_last_month_leaves_nothing_of_its_first()
    {
        _store.Apply(Totals("ITA", ("2024-01", 1, 100)));
        using (var connection = _store.OpenWritable())
        {
            // A write failing inside the transaction, after the first month was written.
            connection.Execute(_store.Provider == StoreProvider.Sqlite
                ? "CREATE TRIGGER fail_february BEFORE INSERT ON month_cells WHEN NEW.month = '2024-02' BEGIN SELECT RAISE(ABORT, 'disk trouble'); END"
                : """
                  CREATE FUNCTION fail_february() RETURNS trigger LANGUAGE plpgsql AS $$
                  BEGIN IF NEW.month = '2024-02' THEN RAISE EXCEPTION 'disk trouble'; END IF; RETURN NEW; END $$;
                  CREATE TRIGGER fail_february BEFORE INSERT OR UPDATE ON month_versions FOR EACH ROW EXECUTE FUNCTION fail_february();
                  """);
        }

        Assert.ThrowsAny<DbException>(() => _store.Apply(Totals("ITA", ("2024-01", 2, 110), ("2024-02", 1, 200))));

        Assert.Equal([("2024-01", 1L, 100L)], Stored("ITA"));
        Assert.Equal(1, Count("releases"));
    }

    /// <summary>What the exchange stores with each applied or duplicate push: its audit entry, in the apply's transaction.</summary>
    private Task<ApplyResult> ApplyAudited(Release release, string sha256Hex) =>
        _store.Cells.ApplyAsync(release.Checked(), sha256Hex, DateTimeOffset.UtcNow,
            (tx, result) => _store.Stores.Audit.Append(tx, "node:ITA", "push", result.Outcome.ToString(), "{}"), CancellationToken.None);

    [Fact]
    public async Task A_release_whose_audit_entry_cannot_be_stored_is_not_applied_and_is_accepted_when_sent_again()
    {
        var release = Totals("ITA", ("2024-01", 1, 100), ("2024-02", 1, 200));
        using (var connection = _store.OpenWritable())
        {
            connection.Execute(_store.Provider == StoreProvider.Sqlite
                ? "CREATE TRIGGER audit_full BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'disk full'); END"
                : """
                  CREATE FUNCTION audit_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$;
                  CREATE TRIGGER audit_full BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION audit_full();
                  """);
        }

        await Assert.ThrowsAnyAsync<DbException>(() => ApplyAudited(release, "aa"));
        Assert.Empty(Stored("ITA"));
        Assert.Equal(0, Count("releases"));

        using (var connection = _store.OpenWritable())
        {
            connection.Execute("DROP TRIGGER audit_full" + (_store.Provider == StoreProvider.Sqlite ? "" : " ON audit"));
        }

        // The node's resend is a first delivery, not a duplicate: nothing of the failed one was kept.
        var resent = await ApplyAudited(release, "aa");
        Assert.Equal((ApplyOutcome.Accepted, 2), (resent.Outcome, resent.MonthsApplied));
        Assert.Equal([("2024-01", 1L, 100L), ("2024-02", 1L, 200L)], Stored("ITA"));
        Assert.Equal(["Accepted"], _store.Stores.Audit.Read(new Audit.AuditFilter(ActionPrefix: "push")).Select(e => e.Outcome));
    }

    [Fact]
    public async Task A_duplicate_stores_its_audit_entry_and_nothing_else_and_the_chain_stays_intact()
    {
        var release = Totals("ITA", ("2024-01", 1, 100));
        await ApplyAudited(release, "aa");
        var again = await ApplyAudited(release, "aa");
        var conflict = await _store.Cells.ApplyAsync(release.Checked(), "bb", DateTimeOffset.UtcNow,
            (_, _) => throw new InvalidOperationException("a conflict stores nothing"), CancellationToken.None);

        Assert.Equal(ApplyOutcome.Duplicate, again.Outcome);
        Assert.Equal(ApplyOutcome.Conflict, conflict.Outcome);
        Assert.Equal(1, Count("releases"));
        Assert.Equal(["Accepted", "Duplicate"], _store.Stores.Audit.Read(new Audit.AuditFilter(ActionPrefix: "push")).Select(e => e.Outcome));
        Assert.True(_store.Stores.Audit.Verify().Intact);
    }

    [Fact]
    public async Task Fifty_releases_applied_at_once_queue_instead_of_failing()
    {
        var releases = Enumerable.Range(0, 50)
            .Select(i => Totals($"S{i:D2}", [.. Enumerable.Range(1, 12).Select(m => ($"2024-{m:D2}", 1L, (long)(10 + i)))]))
            .ToList();

        var results = await Task.WhenAll(releases.Select(r =>
            Task.Run(() => _store.Cells.ApplyAsync(r.Checked(), Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow, null, CancellationToken.None))));

        Assert.All(results, r => Assert.Equal((ApplyOutcome.Accepted, 12), (r.Outcome, r.MonthsApplied)));
        Assert.Equal(600, Count("cells"));
    }
}

[Trait("Category", "Unit")]
public sealed class ReleaseApplyTestsOnSqlite() : ReleaseApplyTests(StoreProvider.Sqlite);

[Trait("Category", "Unit")]
[Trait("Store", "postgres")]
public sealed class ReleaseApplyTestsOnPostgres() : ReleaseApplyTests(StoreProvider.Postgres);
