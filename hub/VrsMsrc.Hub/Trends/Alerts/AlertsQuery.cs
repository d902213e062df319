using VrsMsrc.Contracts.Text;
using VrsMsrc.Contracts.V1;

namespace VrsMsrc.Hub.Trends.Alerts;

/// <summary>
/// Reads the stored alerts for a caller: by default those of the last 12 months of data, of every state
/// and of the regional series. A restricted caller sees its own state's alerts and the regional ones
/// (DESIGN §5: own data and regional totals).
/// </summary>
internal sealed class AlertsQuery(IAlertStore store)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 100_000;
    public const int DefaultMonths = 12;

    public AlertsResponse Answer(AlertsRequest request, QueryScope scope)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(scope);
        var limit = request.Limit is 0 ? DefaultLimit : request.Limit;
        if (limit is < 1 or > MaxLimit)
        {
            throw new QueryException($"limit must be 1..{MaxLimit}, not {request.Limit}");
        }

        var named = request.States.Where(s => s is not "").ToList();
        var range = RangeArguments.Parse(request.From, request.To, named, scope);
        IReadOnlyList<string> states = request.RegionalOnly ? [""]
            : range.States.Count > 0 ? range.States
            : scope.SeesAllStates ? []
            : [scope.OwnState ?? "", ""];

        var run = store.LastRun();
        var response = new AlertsResponse
        {
            ComputedAt = run?.FinishedAt.ToString("O") ?? "",
            SeriesWatched = run?.SeriesWatched ?? 0,
        };
        if (run is null || run.LastMonth is "")
        {
            return response;
        }

        var from = range.From ?? (range.To is null ? Months.Format(Months.Parse(run.LastMonth).AddMonths(1 - DefaultMonths)) : run.FirstMonth);
        var to = range.To ?? run.LastMonth;
        var (alerts, total) = store.List(new AlertFilter(from, to, states, limit));
        response.FirstMonth = from;
        response.LastMonth = to;
        response.Total = total;
        response.Alerts.AddRange(alerts.Select(a => new Alert
        {
            State = a.State, Table = a.Table, Measure = a.Measure, Dims = a.Dims, Month = a.Month,
            Observed = a.Observed, Upperbound = a.UpperBound, Score = a.Score, Method = a.Method,
            Persistence = a.Persistence, StatesAlarming = a.StatesAlarming,
        }));
        return response;
    }
}
