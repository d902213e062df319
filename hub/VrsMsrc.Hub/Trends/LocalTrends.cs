using Google.Protobuf;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Hub.Audit;
using VrsMsrc.Hub.Security;
using VrsMsrc.Hub.Storage;
using VrsMsrc.Hub.Trends.Alerts;

namespace VrsMsrc.Hub.Trends;

/// <summary>
/// The trends engine over a hub's data directory, for the read commands run on the hub's own machine
/// (whether or not 'serve' runs: SQLite in WAL mode lets them read beside it). The operator there is not
/// under the sharing rule, but every question is audited as cli:&lt;login&gt;, like the series.
/// </summary>
internal sealed class LocalTrends
{
    private readonly AdminContext _admin;
    private readonly AuditedQueries _audited;

    private LocalTrends(AdminContext admin)
    {
        _admin = admin;
        var cells = admin.Stores.Cells;
        Alerts = admin.Stores.Alerts;
        Series = new SeriesEngine(cells);
        Queries = new TrendQueries(Series, cells, admin.Registry, Alerts, admin.Time);
        _audited = new AuditedQueries(Series, admin.Audit);
    }

    public IAlertStore Alerts { get; }
    public SeriesEngine Series { get; }
    public TrendQueries Queries { get; }

    /// <summary>Opens the store, bringing its schema up to date first (a hub upgraded but not yet restarted has no alerts table).</summary>
    public static LocalTrends Open(DirectoryInfo dataDir) => new(AdminContext.Open(dataDir));

    /// <summary>Asks, audits, and turns a refused question into the command's one-line reason (exit code 2).</summary>
    public T Ask<T>(string action, IMessage request, Func<TrendQueries, QueryScope, T> question, Func<T, int> rows)
    {
        try
        {
            return _audited.Answer(action, request, _admin.Actor, () => question(Queries, QueryScope.Unrestricted(_admin.Actor)), rows);
        }
        catch (QueryException e)
        {
            throw new CommandException(e.Message, 2);
        }
    }

    /// <summary>A detection pass now, replacing the stored alerts; an administrative act, so audited.</summary>
    public async Task<AlertRun> RefreshAlertsAsync(CancellationToken cancellationToken)
    {
        using var detection = new AlertDetection(new AlertPass(Series), Alerts, _admin.Time);
        var run = await detection.RunAsync("command", cancellationToken);
        _admin.Audit.Append(_admin.Actor, "alerts.refresh", AuditOutcome.Ok,
            AuditChain.Detail(("series", run.SeriesWatched), ("alerts", run.Alerts), ("seconds", Math.Round((run.FinishedAt - run.StartedAt).TotalSeconds, 1))));
        return run;
    }
}
