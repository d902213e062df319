using Dapper;
using Microsoft.Data.Sqlite;
using VrsMsrc.Contracts.Storage;
using VrsMsrc.Contracts.Transparency;
using VrsMsrc.Node.Configuration;
using VrsMsrc.Node.Setup;
using VrsMsrc.Node.Storage;
using VrsMsrc.Node.Transparency;

namespace VrsMsrc.Node.Tests.Operations;

/// <summary>
/// A node.db left at every earlier schema version, with data, is upgraded in place by the software of
/// today: same schema as a new database, every row kept, and the node works on it.
/// </summary>
[Trait("Category", "Unit")]
public sealed class NodeMigrationTests
{
    private static readonly (string Resource, string Name, long Version)[] Scripts = [.. SqliteDatabase.Scripts(typeof(NodeDatabase).Assembly)];

    public static TheoryData<long> EarlierVersions() => [.. Scripts.Select(s => s.Version).Where(v => v < Scripts[^1].Version)];

    [Theory]
    [MemberData(nameof(EarlierVersions))]
    public void A_database_at_an_earlier_version_upgrades_in_place(long version)
    {
        var dir = Directory.CreateTempSubdirectory("vrs-node-migrate-");
        try
        {
            var paths = NodeSetup.Init(dir, "ITA", null, 10);
            File.Delete(paths.Database);
            using (var old = SqliteDatabase.Open(paths.Database))
            {
                ApplyUpTo(old, version);
                Seed(old, version);
            }

            new NodeDatabase(paths.Database).Migrate();

            var fresh = Path.Combine(dir.FullName, "fresh.db");
            new NodeDatabase(fresh).Migrate();
            Assert.Equal(Schema(fresh), Schema(paths.Database));
            using (var upgraded = SqliteDatabase.Open(paths.Database, readOnly: true))
            {
                Assert.Equal("ok", upgraded.ExecuteScalar<string>("PRAGMA integrity_check"));
                Assert.Equal(Scripts.Select(s => s.Version), upgraded.Query<long>("SELECT version FROM schema_migrations ORDER BY version"));
                Assert.Equal(3, upgraded.ExecuteScalar<long>("SELECT COUNT(*) FROM incidents"));
                Assert.Equal(12, upgraded.ExecuteScalar<long>("SELECT migrants FROM incidents WHERE ref = 'r1'"));
                Assert.Equal(1, upgraded.ExecuteScalar<long>("SELECT COUNT(*) FROM outbox WHERE state = 'delivered'"));
                Assert.Equal(version >= 2 ? 1 : 0, upgraded.ExecuteScalar<long>("SELECT COUNT(*) FROM migrants"));
                Assert.Equal(version >= 3 ? 1 : 0, upgraded.ExecuteScalar<long>("SELECT COUNT(*) FROM transparency_log"));
                // Payload retention starts with every payload stored, none marked pruned.
                Assert.Equal(0, upgraded.ExecuteScalar<long>("SELECT COUNT(*) FROM outbox o JOIN outbox_payloads p ON p.seq = o.seq WHERE o.payload_pruned_at IS NOT NULL OR length(p.payload) = 0"));
            }

            // The node works on it: the changed month is released after the one delivered before the upgrade.
            var node = new NodeContext(paths, TimeProvider.System);
            var release = node.Releases().Release();
            Assert.NotNull(release);
            Assert.Equal(2, Assert.Single(release.Release.Months).Version);
            Assert.Equal((1, 1, 0), (node.Outbox.Counts().Pending, node.Outbox.Counts().Delivered, node.Outbox.Counts().Dead));
            Assert.Equal(new LogVerification(null, 0), node.TransparencyLog.Verify());
        }
        finally
        {
            Directory.Delete(dir.FullName, recursive: true);
        }
    }

    /// <summary>What the software of that version did: its migrations, recorded as such.</summary>
    private static void ApplyUpTo(SqliteConnection connection, long version)
    {
        connection.Execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
        foreach (var script in Scripts.Where(s => s.Version <= version))
        {
            using var stream = typeof(NodeDatabase).Assembly.GetManifestResourceStream(script.Resource)!;
            connection.Execute(new StreamReader(stream).ReadToEnd());
            connection.Execute("INSERT INTO schema_migrations VALUES (@Version, @Name, '2025-01-01T00:00:00Z')", new { script.Version, script.Name });
        }
    }

    /// <summary>Data as a node of that version held it: incidents, a delivered release of May (logged from version 3), June changed since.</summary>
    private static void Seed(SqliteConnection connection, long version)
    {
        // SHA-256 of the one-byte payload x'00'.
        const string DeliveredSha256 = "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d";
        const string At = "2025-07-01T00:00:00Z";
        connection.Execute(
            """
            INSERT INTO incidents (ref, record_key, month, detected_on, border_type, context, nationality, migrants, stored_at) VALUES
              ('r1', 17, '2025-05', '2025-05-03', 'SEA', 'at_sea', 'SYR', 12, @At),
              ('r2', 201, '2025-05', '2025-05-09', 'LAND', 'at_border', 'AFG', 30, @At),
              ('r3', 99, '2025-06', '2025-06-11', 'SEA', 'at_sea', 'SYR', 25, @At);
            INSERT INTO months (month, version, changed) VALUES ('2025-05', 1, 0), ('2025-06', 1, 1);
            INSERT INTO outbox (release_id, created_at, months, cells, payload, sha256, state, attempts, delivered_at, receipt)
              VALUES ('ITA-1', @At, 2, 10, x'00', @DeliveredSha256, 'delivered', 1, @At, 'ACCEPTED');
            INSERT INTO imports (file, kind, rows_stored, rows_rejected, imported_at) VALUES ('a.csv', 'incidents', 3, 0, @At);
            """, new { At, DeliveredSha256 });
        if (version >= 2)
        {
            connection.Execute("INSERT INTO migrants (incident_ref, ordinal, record_key, nationality, count) VALUES ('r3', 1, 5, 'SYR', 25)");
            connection.Execute("INSERT INTO api_keys (name, key_sha256, created_at) VALUES ('cms', 'abc', @At)", new { At });
        }

        if (version >= 3)
        {
            connection.Execute(
                """
                INSERT INTO transparency_log (seq, release_id, outbox_seq, payload_sha256, prev_hash, entry_hash, created_at, acknowledged_at, receipt)
                SELECT 1, release_id, seq, sha256, @Genesis, @EntryHash, created_at, delivered_at, receipt FROM outbox WHERE release_id = 'ITA-1'
                """,
                new { TransparencyChain.Genesis, EntryHash = TransparencyChain.EntryHash(TransparencyChain.Genesis, DeliveredSha256, "ITA-1") });
        }
    }

    private static List<string> Schema(string database)
    {
        using var connection = SqliteDatabase.Open(database, readOnly: true);
        return [.. connection.Query<string>("SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")];
    }
}
