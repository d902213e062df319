using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Contracts.Operations;
using VrsMsrc.Contracts.Storage;
using VrsMsrc.Hub.Audit;
using VrsMsrc.Hub.Configuration;
using VrsMsrc.Hub.Operations;
using VrsMsrc.Hub.Security;
using VrsMsrc.Hub.Setup;
using VrsMsrc.Hub.Storage;

namespace VrsMsrc.Hub.Tests.Operations;

/// <summary>hub.json checks, backup and restore, the freshness view, and upgrades from every earlier schema.</summary>
[Trait("Category", "Unit")]
public sealed class HubOperationsTests : IDisposable
{
    private static readonly (string Resource, string Name, long Version)[] Scripts = [.. SqliteDatabase.Scripts(typeof(HubDatabase).Assembly)];
    private static readonly string[] ItalianMonths = ["2025-05", "2025-06", "2025-08"];
    private readonly List<string> _dirs = [];
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 9, 15, 12, 0, 0, TimeSpan.Zero));

    private HubPaths NewHub()
    {
        var dir = Directory.CreateTempSubdirectory("vrs-hub-ops-");
        _dirs.Add(dir.FullName);
        return HubSetup.Init(dir, [], new HubSettings(), TimeProvider.System);
    }

    private string NewDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "vrs-hub-ops-" + Guid.NewGuid().ToString("N"));
        _dirs.Add(dir);
        return dir;
    }

    [Fact]
    public void Wrong_hub_settings_are_reported_with_source_and_reason()
    {
        var paths = NewHub();
        File.WriteAllText(paths.Settings, """{ "ExchangeUrl": "https://hub.example.org:7443", "Security": { "LockoutFailures": 0 } }""");
        var result = SettingsLoader.Check(paths.Settings, HubSettings.Rules, new Dictionary<string, string>
        {
            ["VRS_MaxReleaseBytes"] = "12",
            ["VRS_Security__SessionLifetime"] = "8 hours",
            ["VRS_TOKEN"] = "not a setting but the CLI's",
        });
        Assert.Equal(
        [
            "environment VRS_Security__SessionLifetime: Security:SessionLifetime: '8 hours' is not a duration like 00:05:00 (hours:minutes:seconds) or 2.00:00:00 (days)",
            "hub.json: ExchangeUrl: 'https://hub.example.org:7443' must be https with an IP address (or localhost) and a port, like https://0.0.0.0:7443",
            "environment VRS_MaxReleaseBytes: MaxReleaseBytes: 12 must be between 1024 and 2147483647",
            "hub.json: Security:LockoutFailures: must be at least 1",
        ], result.Problems.Select(p => p.ToString()));
        var error = Assert.Throws<CommandException>(() => HubSettings.Load(paths));
        Assert.Equal(SettingsLoader.ConfigurationExitCode, error.ExitCode);
    }

    [Fact]
    public void A_postgres_store_without_a_bound_on_concurrent_applies_is_refused()
    {
        var paths = NewHub();
        var result = SettingsLoader.Check(paths.Settings, HubSettings.Rules, new Dictionary<string, string>
        {
            ["VRS_Storage__Provider"] = "postgres",
            ["VRS_Storage__ConnectionString"] = "Host=db;Database=vrs",
            ["VRS_Storage__ConcurrentApplies"] = "0",
        });
        Assert.Equal(["environment VRS_Storage__ConcurrentApplies: Storage:ConcurrentApplies: 0 is outside 1..1000"], result.Problems.Select(p => p.ToString()));
    }

    [Fact]
    public async Task Backup_holds_database_pki_and_settings_and_restores_with_the_audit_chain_intact()
    {
        var paths = NewHub();
        var admin = AdminContext.Open(paths, TimeProvider.System);
        for (var i = 0; i < 50; i++)
        {
            admin.Audit.Append("cli:test", "test.act", AuditOutcome.Ok, AuditChain.Detail(("i", i)));
        }

        Directory.CreateDirectory(paths.IssuedDir);
        File.WriteAllText(Path.Combine(paths.IssuedDir, "ITA.crt"), "issued certificate");
        await admin.Stores.Cells.ApplyAsync(
            TempHubStore.Release("ITA", ("2025-05", 1, "totals", [], "incidents", 12)).Checked(), new string('a', 64), _time.GetUtcNow(), null, CancellationToken.None);

        var backup = NewDir();
        var manifest = DataDirectoryBackup.Create(HubOperations.Backup, paths.DataDir, backup, TimeProvider.System);
        Assert.Equal(["hub.db", "hub.json", "pki/ca.crt", "pki/ca.key", "pki/hub.crt", "pki/hub.key", "pki/issued/ITA.crt"], manifest.Files.Select(f => f.Path));
        Assert.Equal(50, manifest.Rows["audit"]);
        Assert.Equal(1, manifest.Rows["releases"]);

        var restoredDir = NewDir();
        DataDirectoryBackup.Restore(HubOperations.Backup, backup, restoredDir);
        var restored = AdminContext.Open(new DirectoryInfo(restoredDir));
        var verification = restored.Audit.Verify();
        Assert.True(verification.Intact);
        Assert.Equal(admin.Audit.Verify().HeadHash, verification.HeadHash);
        Assert.Equal(File.ReadAllBytes(paths.CaKey), File.ReadAllBytes(new HubPaths(restoredDir).CaKey));
    }

    [Fact]
    public async Task Freshness_shows_per_state_last_release_months_covered_and_lag()
    {
        var paths = NewHub();
        var database = new HubDatabase(paths.Database);
        using (var connection = database.Open())
        {
            connection.Execute("INSERT INTO nodes (state, enabled, registered_at) VALUES ('ITA', 1, '2025-01-01'), ('GRC', 1, '2025-01-01'), ('MLT', 1, '2025-01-01'), ('ESP', 0, '2025-01-01')");
        }

        var cells = new SqliteCellStore(database);
        await cells.ApplyAsync(TempHubStore.Release("ITA", [.. ItalianMonths.Select(m => (m, 1L, "totals", Array.Empty<string>(), "incidents", 12L))]).Checked(),
            new string('a', 64), _time.GetUtcNow().AddDays(-3), null, CancellationToken.None);
        await cells.ApplyAsync(TempHubStore.Release("GRC", ("2025-03", 1, "totals", [], "incidents", 30)).Checked(), new string('b', 64), _time.GetUtcNow().AddDays(-120), null, CancellationToken.None);

        var rows = Freshness.Read(cells, new Nodes.SqliteNodeRegistry(database, _time), new HubSettings(), _time).ToDictionary(r => r.State);
        Assert.Equal(("ok", "2025-05", "2025-08", 3, 1, 0, 3.0), (rows["ITA"].Status, rows["ITA"].FirstMonth, rows["ITA"].LastMonth, rows["ITA"].MonthsCovered, rows["ITA"].Gaps, rows["ITA"].LagMonths, rows["ITA"].DaysSinceLastRelease));
        Assert.Equal(("late", 1, 5), (rows["GRC"].Status, rows["GRC"].MonthsCovered, rows["GRC"].LagMonths));
        Assert.Equal(("never released", 0, (DateTimeOffset?)null), (rows["MLT"].Status, rows["MLT"].MonthsCovered, rows["MLT"].LastReleaseAt));
        Assert.Equal("disabled", rows["ESP"].Status);
    }

    public static TheoryData<long> EarlierVersions() => [.. Scripts.Select(s => s.Version).Where(v => v < Scripts[^1].Version)];

    [Theory]
    [MemberData(nameof(EarlierVersions))]
    public void A_hub_database_at_an_earlier_version_upgrades_in_place(long version)
    {
        var paths = NewHub();
        File.Delete(paths.Database);
        using (var old = SqliteDatabase.Open(paths.Database))
        {
            old.Execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
            foreach (var script in Scripts.Where(s => s.Version <= version))
            {
                using var stream = typeof(HubDatabase).Assembly.GetManifestResourceStream(script.Resource)!;
                old.Execute(new StreamReader(stream).ReadToEnd());
                old.Execute("INSERT INTO schema_migrations VALUES (@Version, @Name, '2025-01-01T00:00:00Z')", new { script.Version, script.Name });
            }

            Seed(old, version);
        }

        var database = new HubDatabase(paths.Database);
        database.Migrate();
        var fresh = new HubDatabase(Path.Combine(paths.DataDir, "fresh.db"));
        fresh.Migrate();
        Assert.Equal(Schema(fresh.Path), Schema(database.Path));
        using (var upgraded = database.Open(readOnly: true))
        {
            Assert.Equal("ok", upgraded.ExecuteScalar<string>("PRAGMA integrity_check"));
            Assert.Equal(Scripts.Select(s => s.Version), upgraded.Query<long>("SELECT version FROM schema_migrations ORDER BY version"));
            Assert.Equal(2, upgraded.ExecuteScalar<long>("SELECT COUNT(*) FROM cells"));
            Assert.Equal(1, upgraded.ExecuteScalar<long>("SELECT COUNT(*) FROM releases"));
            Assert.Equal(1, upgraded.ExecuteScalar<long>("SELECT COUNT(*) FROM corridors"));
        }

        // The hub works on it: the registry, the audit chain (appended to after the upgrade) and the trends see the old data.
        var admin = AdminContext.Open(paths, _time);
        Assert.Equal(1, Assert.Single(admin.Registry.List()).Releases);
        admin.Audit.Append("cli:test", "upgrade.checked", AuditOutcome.Ok, "{}");
        var audit = admin.Audit.Verify();
        Assert.True(audit.Intact, audit.Break?.Reason);
        Assert.Equal(version >= 2 ? 3 : 1, audit.Entries);
        var ita = Assert.Single(Freshness.Read(admin.Stores.Cells, admin.Registry, admin.Settings, _time));
        Assert.Equal(("2025-05", 1), (ita.LastMonth, ita.MonthsCovered));
    }

    /// <summary>What a hub of that version held: a node, its certificate, one applied release; accounts and audit entries from version 2.</summary>
    private static void Seed(SqliteConnection connection, long version)
    {
        connection.Execute(
            """
            INSERT INTO nodes (state, enabled, registered_at) VALUES ('ITA', 1, '2025-01-01T00:00:00Z');
            INSERT INTO certificates (serial, state, thumbprint, not_before, not_after, issued_at) VALUES ('01', 'ITA', 'ab', '2025-01-01T00:00:00Z', '2027-01-01T00:00:00Z', '2025-01-01T00:00:00Z');
            INSERT INTO releases (release_id, state, sha256, received_at, months, months_applied, cells) VALUES ('ITA-1', 'ITA', 'cd', '2025-06-02T00:00:00Z', 1, 1, 2);
            INSERT INTO month_versions (state, month, tbl, version, release_id) VALUES ('ITA', '2025-05', 'totals', 1, 'ITA-1');
            INSERT INTO corridors (code, name) VALUES ('central_mediterranean', 'Central Mediterranean');
            """);
        // Cells as that version kept them: a row each, or (from 005) one block per table, month and state.
        connection.Execute(version < 5
            ? """
              INSERT INTO cells (state, tbl, month, measure, dim0, dim1, dim2, dim3, value) VALUES
                ('ITA', 'totals', '2025-05', 'incidents', '', '', '', '', 12), ('ITA', 'totals', '2025-05', 'migrants', '', '', '', '', 140)
              """
            : """INSERT INTO cell_blocks (tbl, month, state, cells) VALUES ('totals', '2025-05', 'ITA', '[[12,"incidents","","","",""],[140,"migrants","","","",""]]')""");
        if (version >= 2)
        {
            connection.Execute("INSERT INTO accounts (name, role, created_at) VALUES ('ops', 'operator', '2025-01-01T00:00:00Z')");
            var previous = AuditChain.Genesis;
            for (var seq = 1L; seq <= 2; seq++)
            {
                var hash = AuditChain.Hash(previous, seq, "2025-01-01T00:00:00Z", "cli:root", "user.add", "ok", "{}");
                connection.Execute("INSERT INTO audit VALUES (@seq, '2025-01-01T00:00:00Z', 'cli:root', 'user.add', 'ok', '{}', @previous, @hash)", new { seq, previous, hash });
                previous = hash;
            }
        }
    }

    private static List<string> Schema(string database)
    {
        using var connection = SqliteDatabase.Open(database, readOnly: true);
        return [.. connection.Query<string>("SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")];
    }

    public void Dispose()
    {
        foreach (var dir in _dirs.Where(Directory.Exists))
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
