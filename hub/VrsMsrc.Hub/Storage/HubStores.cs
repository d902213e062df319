using VrsMsrc.Hub.Accounts;
using VrsMsrc.Hub.Audit;
using VrsMsrc.Hub.Configuration;
using VrsMsrc.Hub.Nodes;
using VrsMsrc.Hub.Storage.Postgres;
using VrsMsrc.Hub.Trends.Alerts;

namespace VrsMsrc.Hub.Storage;

/// <summary>
/// Every store of a hub on the database its settings name, schema brought up to date: the one place
/// that chooses between SQLite and PostgreSQL, for 'serve' and the operator's commands alike.
/// </summary>
internal sealed class HubStores : IDisposable
{
    private readonly IDisposable _owned;
    private readonly Func<string?> _schemaProblem;

    private HubStores(ICellStore cells, INodeRegistry registry, IAccountStore accounts, IAuditLog audit, IAlertStore alerts, IDisposable owned, Func<string?> schemaProblem)
    {
        _schemaProblem = schemaProblem;
        Cells = cells;
        Registry = registry;
        Accounts = accounts;
        Audit = audit;
        Alerts = alerts;
        _owned = owned;
    }

    public ICellStore Cells { get; }
    public INodeRegistry Registry { get; }
    public IAccountStore Accounts { get; }
    public IAuditLog Audit { get; }
    public IAlertStore Alerts { get; }

    public static HubStores Open(HubPaths paths, StorageSettings storage, TimeProvider time)
    {
        if (storage.Validated().Provider == StorageSettings.Postgres)
        {
            return Postgres(new PostgresDatabase(storage.ConnectionString!, storage.ConcurrentApplies), time);
        }

        return Sqlite(new HubDatabase(paths.Database), time);
    }

    public static HubStores Sqlite(HubDatabase database, TimeProvider time)
    {
        database.Migrate();
        var cells = new SqliteCellStore(database);
        return new HubStores(cells, new SqliteNodeRegistry(database, time), new SqliteAccountStore(database),
            new SqliteAuditLog(database, time), new SqliteAlertStore(database), cells, database.SchemaProblem);
    }

    public static HubStores Postgres(PostgresDatabase database, TimeProvider time)
    {
        database.Migrate();
        var cells = new PostgresCellStore(database);
        return new HubStores(cells, new PostgresNodeRegistry(database, time), new PostgresAccountStore(database),
            new PostgresAuditLog(database, time), new PostgresAlertStore(database), new Owned(cells, database), database.SchemaProblem);
    }

    /// <summary>Null when the database answers with the schema this software needs (readiness); else what is wrong.</summary>
    public string? SchemaProblem() => _schemaProblem();

    public void Dispose() => _owned.Dispose();

    /// <summary>Disposes the stores' resources, the database last.</summary>
    private sealed class Owned(params IDisposable[] parts) : IDisposable
    {
        public void Dispose()
        {
            foreach (var part in parts)
            {
                part.Dispose();
            }
        }
    }
}
