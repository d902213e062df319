using Google.Protobuf;
using System.Data.Common;
using Dapper;
using Npgsql;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Accounts;
using VrsMsrc.Hub.Audit;
using VrsMsrc.Hub.Exchange;
using VrsMsrc.Hub.Nodes;
using VrsMsrc.Hub.Storage;
using VrsMsrc.Hub.Storage.Postgres;
using VrsMsrc.Hub.Trends.Alerts;

using VrsMsrc.Tests.Shared;

namespace VrsMsrc.Hub.Tests;

/// <summary>The database a store test runs on; every store test class runs once on each.</summary>
public enum StoreProvider
{
    Sqlite,
    Postgres,
}

/// <summary>
/// A migrated, empty hub store with a helper to apply releases to it: a SQLite file in a temporary
/// folder, or a schema of its own in the PostgreSQL server named by VRS_TEST_POSTGRES (which .ci/run
/// starts). Without that variable the PostgreSQL tests fail, saying so: they are never skipped.
/// </summary>
internal sealed class TempHubStore : IDisposable
{
    private readonly DirectoryInfo? _dir;
    private readonly HubDatabase? _sqlite;
    private readonly PostgresDatabase? _postgres;
    private readonly string? _schema;

    public TempHubStore(StoreProvider provider = StoreProvider.Sqlite)
    {
        Provider = provider;
        if (provider == StoreProvider.Sqlite)
        {
            _dir = Directory.CreateTempSubdirectory("vrs-hub-test-");
            _sqlite = new HubDatabase(Path.Combine(_dir.FullName, "hub.db"));
            Stores = HubStores.Sqlite(_sqlite, TimeProvider.System);
        }
        else
        {
            _schema = "test_" + Guid.NewGuid().ToString("N");
            using (var admin = new NpgsqlConnection(PostgresConnectionString()))
            {
                admin.Execute($"CREATE SCHEMA {_schema}");
            }

            _postgres = new PostgresDatabase(SchemaConnectionString());
            Stores = HubStores.Postgres(_postgres, TimeProvider.System);
        }
    }

    public StoreProvider Provider { get; }

    public HubDatabase SqliteDatabase => _sqlite ?? throw new InvalidOperationException("not a SQLite store");

    public PostgresDatabase PostgresDatabase => _postgres ?? throw new InvalidOperationException("not a PostgreSQL store");
    public HubStores Stores { get; }
    public ICellStore Cells => Stores.Cells;
    public IAlertStore Alerts => Stores.Alerts;
    public IAccountStore Accounts => Stores.Accounts;

    /// <summary>The test server's connection string (given, or a private one started for this test process).</summary>
    public static string PostgresConnectionString() => TestPostgresServer.ConnectionString;

    /// <summary>The test server with this store's schema first on the search path.</summary>
    public string SchemaConnectionString() => new NpgsqlConnectionStringBuilder(PostgresConnectionString()) { SearchPath = _schema }.ToString();

    /// <summary>A connection as someone with access to the database file or server has one: for a test's own writes.</summary>
    public DbConnection OpenWritable() => _sqlite is not null ? _sqlite.Open() : _postgres!.Open();

    /// <summary>A connection for a test's own checks on the tables, which have the same names on both.</summary>
    public DbConnection Open() => _sqlite is not null ? _sqlite.Open(readOnly: true) : _postgres!.Open();

    /// <summary>
    /// The same PostgreSQL store as another hub process sees it: its own connection pool and store
    /// objects, so that nothing in-process orders it against this one.
    /// </summary>
    public HubStores AnotherProcess() => Provider == StoreProvider.Postgres
        ? HubStores.Postgres(new PostgresDatabase(SchemaConnectionString()), TimeProvider.System)
        : throw new InvalidOperationException("several hub processes share a store only on PostgreSQL");

    public INodeRegistry Registry(TimeProvider time) =>
        _sqlite is not null ? new SqliteNodeRegistry(_sqlite, time) : new PostgresNodeRegistry(_postgres!, time);

    public IAuditLog Audit(TimeProvider time) =>
        _sqlite is not null ? new SqliteAuditLog(_sqlite, time) : new PostgresAuditLog(_postgres!, time);

    public static Release Release(string state, params (string Month, long Version, string Table, string[] Dims, string Measure, long Value)[] cells)
    {
        var release = new Release { ReleaseId = Guid.CreateVersion7().ToString(), State = state, SchemaVersion = 1 };
        foreach (var month in cells.GroupBy(c => (c.Month, c.Version)))
        {
            var m = new MonthRelease { Month = month.Key.Month, Version = month.Key.Version };
            foreach (var table in Contracts.Catalogue.ReleaseCatalogue.All)
            {
                var t = new TableCells { Table = table.Name };
                t.Cells.AddRange(month.Where(c => c.Table == table.Name)
                    .Select(c => new Cell { Measure = c.Measure, Value = c.Value, Dims = { c.Dims } }));
                m.Tables.Add(t);
            }

            release.Months.Add(m);
        }

        return release;
    }

    public ApplyResult Apply(Release release, string? sha256Hex = null) =>
        Cells.ApplyAsync(release.Checked(), sha256Hex ?? Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow, null, CancellationToken.None).GetAwaiter().GetResult();

    public void Dispose()
    {
        Stores.Dispose();
        if (_schema is not null)
        {
            using var admin = new NpgsqlConnection(PostgresConnectionString());
            admin.Execute($"DROP SCHEMA {_schema} CASCADE");
            return;
        }

        try
        {
            _dir!.Delete(recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold the file for a moment; the temp folder is not worth a failure.
        }
    }
}

/// <summary>Releases built as messages in a test, read and checked as the exchange does before a store sees them.</summary>
internal static class ReleaseChecking
{
    private static readonly IReadOnlySet<string> Corridors = Contracts.CodeLists.Codes.DefaultCorridors.Entries.Select(e => e.Code).ToHashSet();

    /// <summary>Checked at a time after every month a test uses; a release the exchange would refuse fails the test here.</summary>
    public static CheckedRelease Checked(this Release release) =>
        PushedRelease.Read(release.ToByteArray(), Corridors, new DateTimeOffset(9000, 1, 1, 0, 0, 0, TimeSpan.Zero)).TryCheck(out var checkedRelease, out var problem)
            ? checkedRelease
            : throw new InvalidOperationException($"the test's release would be refused: {problem}");
}
