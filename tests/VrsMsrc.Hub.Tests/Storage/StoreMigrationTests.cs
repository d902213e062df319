using Dapper;
using Microsoft.Extensions.Time.Testing;
using VrsMsrc.Hub.Accounts;
using VrsMsrc.Hub.Audit;
using VrsMsrc.Hub.Pki;
using VrsMsrc.Hub.Storage;
using VrsMsrc.Hub.Storage.Postgres;
using VrsMsrc.Hub.Trends.Alerts;

namespace VrsMsrc.Hub.Tests.Storage;

/// <summary>'vrs-hub migrate-store': a hub's SQLite store copied into PostgreSQL, nothing lost, the chains intact.</summary>
[Trait("Category", "Unit")]
[Trait("Store", "postgres")]
public sealed class StoreMigrationTests : IDisposable
{
    private static readonly string[] Tables =
        ["nodes", "certificates", "corridors", "releases", "month_versions", "cells", "release_chain", "accounts", "tokens", "audit", "alerts", "alert_runs"];

    private readonly TempHubStore _sqlite = new(StoreProvider.Sqlite);
    private readonly TempHubStore _postgres = new(StoreProvider.Postgres);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero));

    public void Dispose()
    {
        _sqlite.Dispose();
        _postgres.Dispose();
    }

    private void FillSqlite()
    {
        var registry = _sqlite.Registry(_time);
        registry.Register(new IssuedCertificate("ITA", "0A1B", "thumb-ita", _time.GetUtcNow(), _time.GetUtcNow().AddYears(1), "pem"));
        registry.Register(new IssuedCertificate("GRC", "0C2D", "thumb-grc", _time.GetUtcNow(), _time.GetUtcNow().AddYears(1), "pem"));
        registry.RevokeSerial("0C2D", "key lost");
        registry.SetEnabled("ITA", false);
        _sqlite.Apply(TempHubStore.Release("ITA", ("2024-01", 1, "totals", [], "migrants", 100), ("2024-02", 1, "corridors", ["central_mediterranean", "sea"], "migrants", 70)));
        _sqlite.Apply(TempHubStore.Release("ITA", ("2024-01", 2, "totals", [], "migrants", 110)));
        _sqlite.Apply(TempHubStore.Release("GRC", ("2024-01", 1, "nationality", ["SYR"], "migrants", 40)));
        _sqlite.Accounts.Add(new AccountRecord { Name = "ana", Role = Roles.StateAnalyst, State = "ITA", PasswordHash = "h", Enabled = true, CreatedAt = "2025-01-01T00:00:00Z" });
        _sqlite.Accounts.AddToken(new TokenRecord { Id = "t1", Sha256 = "abc", Account = "ana", Kind = "api", Label = "script", CreatedAt = "2025-01-01T00:00:00Z" });
        var audit = _sqlite.Audit(_time);
        for (var i = 0; i < 25; i++)
        {
            audit.Append("user:ana", "query.series", AuditOutcome.Ok, AuditChain.Detail(("i", i)));
        }

        var run = new AlertRun(_time.GetUtcNow(), _time.GetUtcNow().AddSeconds(3), "test", 12, 1, "2024-01", "2024-02");
        _sqlite.Alerts.Replace([new TrendAlert("ITA", "totals", "migrants", "", "2024-02", 70.5, 40.25, "farrington") { Score = 2.5, Persistence = 2 }], run);
        _sqlite.Alerts.Replace([new TrendAlert("ITA", "totals", "migrants", "", "2024-02", 70.5, 40.25, "farrington") { Score = 3.5, Persistence = 3 }], run);
    }

    /// <summary>Every row of a table as text, in a fixed order: what both stores must agree on.</summary>
    private static List<string> Rows(System.Data.Common.DbConnection connection, string table) =>
        connection.Query(table == "alert_runs" ? "SELECT * FROM alert_runs ORDER BY id" : $"SELECT * FROM {table}")
            .Select(row => string.Join("|", ((IDictionary<string, object?>)row).OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Key + "=" + Text(c.Value))))
            .Order(StringComparer.Ordinal)
            .ToList();

    private static string Text(object? value) => value switch
    {
        null => "null",
        bool b => b ? "1" : "0",
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!,
    };

    [Fact]
    public void Every_table_arrives_row_for_row_with_both_chains_intact()
    {
        FillSqlite();

        var report = StoreMigration.Copy(_sqlite.SqliteDatabase, _postgres.PostgresDatabase);

        using var from = _sqlite.Open();
        using var to = _postgres.Open();
        foreach (var table in Tables)
        {
            Assert.Equal(Rows(from, table), Rows(to, table));
        }

        Assert.Equal(25, report.AuditEntries);
        Assert.Equal(_sqlite.Stores.Audit.Verify().HeadHash, _postgres.Stores.Audit.Verify().HeadHash);
        Assert.Equal(_sqlite.Registry(_time).List().Select(n => (n.State, n.Enabled, n.Releases, n.ChainLength, n.ChainHead)),
            _postgres.Registry(_time).List().Select(n => (n.State, n.Enabled, n.Releases, n.ChainLength, n.ChainHead)));
        Assert.Equal(2, report.Tables.Single(t => t.Table == "alert_runs").Rows);
    }

    [Fact]
    public void The_migrated_store_carries_on_where_SQLite_stopped()
    {
        FillSqlite();
        var known = TempHubStore.Release("GRC", ("2024-01", 1, "nationality", ["SYR"], "migrants", 40));
        _sqlite.Apply(known, "feed");
        StoreMigration.Copy(_sqlite.SqliteDatabase, _postgres.PostgresDatabase);

        Assert.Equal(ApplyOutcome.Duplicate, _postgres.Apply(known, "feed").Outcome);
        Assert.Equal(ApplyOutcome.Accepted, _postgres.Apply(TempHubStore.Release("GRC", ("2024-03", 1, "totals", [], "migrants", 5))).Outcome);
        var entry = _postgres.Audit(_time).Append("cli:op", "store.migrate", AuditOutcome.Ok, "{}");
        Assert.Equal(26, entry.Seq);
        Assert.True(_postgres.Stores.Audit.Verify().Intact);
        using var to = _postgres.Open();
        Assert.Equal([1L, 2L, 3L], to.Query<long>("SELECT seq FROM release_chain WHERE state = 'GRC' ORDER BY seq"));
        _postgres.Alerts.Replace([], new AlertRun(_time.GetUtcNow(), _time.GetUtcNow(), "after", 0, 0, "2024-01", "2024-03"));
        Assert.Equal("after", _postgres.Alerts.LastRun()!.Trigger);
    }

    [Fact]
    public void A_database_that_holds_hub_data_already_is_refused_and_left_as_it_was()
    {
        FillSqlite();
        _postgres.Apply(TempHubStore.Release("ESP", ("2024-01", 1, "totals", [], "migrants", 9)));

        var error = Assert.Throws<InvalidDataException>(() => StoreMigration.Copy(_sqlite.SqliteDatabase, _postgres.PostgresDatabase));

        Assert.Contains("already holds hub data (table releases is not empty)", error.Message, StringComparison.Ordinal);
        using var to = _postgres.Open();
        Assert.Equal(1L, to.ExecuteScalar<long>("SELECT COUNT(*) FROM releases"));
        Assert.Equal(0L, to.ExecuteScalar<long>("SELECT COUNT(*) FROM audit"));
    }
}
