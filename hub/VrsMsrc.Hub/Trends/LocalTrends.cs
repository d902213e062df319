using VrsMsrc.Hub.Configuration;
using VrsMsrc.Hub.Nodes;
using VrsMsrc.Hub.Storage;
using VrsMsrc.Hub.Trends.Alerts;

namespace VrsMsrc.Hub.Trends;

/// <summary>
/// The trends engine over a hub's data directory, for the read commands run on the hub's own machine
/// (whether or not 'serve' runs: SQLite in WAL mode lets them read beside it).
/// </summary>
internal sealed class LocalTrends
{
    private LocalTrends(HubDatabase database)
    {
        Database = database;
        Cells = new SqliteCellStore(database);
        Alerts = new SqliteAlertStore(database);
        Series = new SeriesEngine(Cells);
        Queries = new TrendQueries(Series, Cells, new SqliteNodeRegistry(database, TimeProvider.System), Alerts, TimeProvider.System);
    }

    public HubDatabase Database { get; }
    public SqliteCellStore Cells { get; }
    public SqliteAlertStore Alerts { get; }
    public SeriesEngine Series { get; }
    public TrendQueries Queries { get; }

    /// <summary>Opens the store, bringing its schema up to date first (a hub upgraded but not yet restarted has no alerts table).</summary>
    public static LocalTrends Open(DirectoryInfo dataDir)
    {
        var database = new HubDatabase(HubPaths.Existing(dataDir).Database);
        database.Migrate();
        return new LocalTrends(database);
    }

    public AlertDetection Detection() => new(new AlertPass(Series), Alerts, TimeProvider.System);
}
