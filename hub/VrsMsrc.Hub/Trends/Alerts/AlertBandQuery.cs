using VrsMsrc.Contracts.V1;

namespace VrsMsrc.Hub.Trends.Alerts;

/// <summary>
/// The band of one watched series: the detectors' upper bound for each of its months, alarming or not.
/// The pass stores bounds of alarming months only; the alerts page draws the series against the bound of
/// every month, so it is computed here on demand, over the same series (read through the series engine in
/// the caller's scope, so the sharing rule applies) with the same verdict as the pass.
/// </summary>
internal sealed class AlertBandQuery(SeriesEngine series)
{
    public AlertBandResponse Answer(AlertBandRequest request, QueryScope scope)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(scope);
        // The caller's scope first: whether it may see this state's series at all.
        var range = RangeArguments.Parse(request.From, request.To, request.State is "" ? [] : [request.State], scope);
        var dims = ParseDims(request.Dims);
        var kind = WatchList.All.FirstOrDefault(w => w.Table.Name == request.Table && w.Measure == request.Measure && w.By.Order(StringComparer.Ordinal).SequenceEqual(dims.Keys))
            ?? throw new QueryException($"{request.Table}.{request.Measure} by '{string.Join(',', dims.Keys)}' is not a series the detection pass watches");

        // The whole series, as the pass reads it: a verdict reads up to AlertPass.Window months before its month.
        var read = new SeriesRequest { Table = kind.Table.Name, Measure = kind.Measure, By = string.Join(',', kind.By), Period = "month" };
        read.States.Add(range.States);

        var answer = series.Series(read, scope);
        var group = string.Join(SeriesEngine.GroupSeparator, kind.By.Select(d => dims[d]));
        var points = answer.Points.Where(p => p.Group == group).ToList();
        var watched = AlertPass.Split(kind, range.States.SingleOrDefault() ?? "", new SeriesResponse { Points = { points } }).SingleOrDefault()
            ?? throw new QueryException($"the series has fewer than {AlertPass.MinimumPublishedMonths} published months; the detection pass does not judge it");
        var verdicts = AlertPass.Verdicts(watched);
        var offset = points.FindIndex(p => p.Period == watched.FirstMonth);

        var response = new AlertBandResponse { Table = answer.Table, States = { answer.States } };
        foreach (var (point, i) in points.Select((p, i) => (p, i)))
        {
            if ((range.From is { } from && string.CompareOrdinal(point.Period, from) < 0)
                || (range.To is { } to && string.CompareOrdinal(point.Period, to) > 0))
            {
                continue;
            }

            var month = new BandMonth { Month = point.Period, Observed = point.Value, Flag = point.Flag };
            var at = i - offset;
            if (at >= 0 && at < verdicts.Count && verdicts[at] is { UpperBound: { } bound } verdict)
            {
                month.Upperbound = Math.Round(bound, 3);
                month.Method = verdict.Method;
                month.Alarm = verdict.Alarm is true;
            }

            response.Months.Add(month);
        }

        return response;
    }

    /// <summary>An alert's dims ("key=value;key=value") by key, sorted as the alerts write them.</summary>
    private static SortedDictionary<string, string> ParseDims(string dims)
    {
        var parsed = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var pairs = dims.Split(';', StringSplitOptions.RemoveEmptyEntries);
        RangeArguments.CheckCount(pairs, "dims");
        foreach (var pair in pairs)
        {
            var parts = pair.Split('=', 2);
            if (parts.Length != 2 || parts[0] is "" || !parsed.TryAdd(parts[0], parts[1]))
            {
                throw new QueryException($"dims '{dims}': each part must be key=value, each key once");
            }
        }

        return parsed;
    }
}
