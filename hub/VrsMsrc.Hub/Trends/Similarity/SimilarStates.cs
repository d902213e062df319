using System.Globalization;
using VrsMsrc.Contracts.Text;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Trends.Alerts;

namespace VrsMsrc.Hub.Trends.Similarity;

/// <summary>
/// Ranks the other states by how alike their recent trends are to one state's. Over a window of months
/// ending at the last month with data, each state's monthly series of total migrants, per corridor and
/// per nationality are taken on a log scale, ln(1 + x); for every series two states both published,
/// the Pearson correlation over the months both published it (at least <see cref="MinimumSharedMonths"/>)
/// measures whether they rise and fall together (correlation is that of the standardised series, so a
/// small and a large flow compare on equal terms). The correlations are averaged with weights n·log10(10 + m),
/// n the shared months and m the smaller mean, so long overlaps and larger flows count more, and the
/// mean is shrunk by s/(s + 2), s the number of shared series, so that one coincidence does not make two
/// states alike. Shared alerts add evidence: the share of the two states' alerted series (table, measure,
/// dims) on which both alarmed within a month of each other (Jaccard). Score = 0.75·shrunk mean
/// correlation + 0.25·shared alerts, between -0.75 and 1.
/// </summary>
internal sealed class SimilarStates(SeriesEngine series, IAlertStore alerts)
{
    public const int DefaultMonths = 24;
    public const int DefaultTop = 10;
    public const int MinimumSharedMonths = 6;

    /// <summary>The mean correlation over n shared series counts n / (n + this) of itself.</summary>
    public const double EvidenceShrinkage = 2;

    private static readonly (string Label, string Measure, string By)[] Compared =
    [
        ("total migrants", "migrants", ""),
        ("corridor", "migrants", "corridor"),
        ("nationality", "migrants", "nationality"),
    ];

    public SimilarResponse Answer(SimilarRequest request, QueryScope scope)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(scope);
        if (request.State is "")
        {
            throw new QueryException("name the state to compare: --state ISO3");
        }

        var state = SeriesEngine.StateArguments([request.State])[0];
        var months = request.Months is 0 ? DefaultMonths : request.Months;
        var top = request.Top is 0 ? DefaultTop : request.Top;
        if (months is < MinimumSharedMonths or > 1200 || top is < 1 or > 1000)
        {
            throw new QueryException($"months must be {MinimumSharedMonths}..1200 and top 1..1000");
        }

        // Comparing is reading the other states' series: the series engine refuses it to a restricted caller.
        var everyone = series.Series(new SeriesRequest { Table = "totals", Measure = "migrants", By = "state" }, scope);
        var response = new SimilarResponse();
        if (!everyone.States.Contains(state))
        {
            throw new QueryException($"{state} has released no data");
        }

        var last = everyone.LastMonth;
        var first = Months.Format(Months.Parse(last).AddMonths(1 - months));
        response.FirstMonth = first;
        response.LastMonth = last;

        var byState = everyone.States.ToDictionary(s => s, s => Profile(s, first, last, scope), StringComparer.Ordinal);
        var alerted = alerts.List(new AlertFilter(first, last, [], AlertsQuery.MaxLimit)).Alerts
            .Where(a => a.State is not "")
            .GroupBy(a => a.State)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);

        var mine = byState[state];
        var mineAlerts = alerted.GetValueOrDefault(state) ?? [];
        response.States.AddRange(byState.Where(kv => kv.Key != state)
            .Select(kv => Compare(state, mine, mineAlerts, kv.Key, kv.Value, alerted.GetValueOrDefault(kv.Key) ?? [], months))
            // A state with nothing to compare goes after those compared, whatever their score.
            .OrderByDescending(s => s.SharedSeries + s.SharedAlerts > 0)
            .ThenByDescending(s => s.Score)
            .ThenBy(s => s.SimilarState, StringComparer.Ordinal)
            .Take(top));
        return response;
    }

    /// <summary>A state's compared series in the window, by a label such as "nationality SYR".</summary>
    private Dictionary<string, double?[]> Profile(string state, string first, string last, QueryScope scope)
    {
        var profile = new Dictionary<string, double?[]>(StringComparer.Ordinal);
        foreach (var (label, measure, by) in Compared)
        {
            var request = new SeriesRequest { Measure = measure, By = by, From = first, To = last, States = { state } };
            foreach (var group in series.Series(request, scope).Points.GroupBy(p => p.Group, StringComparer.Ordinal))
            {
                var name = by is "" ? label : $"{label} {group.Key}";
                profile[name] = group.Select(p => p.Flag is "" ? p.Value : (double?)null).ToArray();
            }
        }

        return profile;
    }

    private static StateSimilarity Compare(
        string state, Dictionary<string, double?[]> mine, List<TrendAlert> mineAlerts,
        string other, Dictionary<string, double?[]> theirs, List<TrendAlert> theirAlerts, int months)
    {
        var correlations = new List<(string Name, double R, double Weight)>();
        foreach (var (name, a) in mine)
        {
            if (theirs.TryGetValue(name, out var b) && Correlation(a, b) is { } c)
            {
                correlations.Add((name, c.R, c.Weight));
            }
        }

        var weight = correlations.Sum(c => c.Weight);
        var mean = weight == 0 ? 0 : correlations.Sum(c => c.R * c.Weight) / weight;

        // One or two series in common are weak evidence however well they agree.
        var trend = mean * correlations.Count / (correlations.Count + EvidenceShrinkage);

        var shared = SharedAlerts(mineAlerts, theirAlerts);
        var alertedSeries = mineAlerts.Select(a => a.Key).Union(theirAlerts.Select(a => a.Key)).Count();
        var jaccard = alertedSeries == 0 ? 0 : (double)shared.Count / alertedSeries;
        var score = Math.Round((0.75 * trend) + (0.25 * jaccard), 3);
        return new StateSimilarity
        {
            State = state, SimilarState = other, Score = score, Correlation = Math.Round(mean, 3),
            SharedSeries = correlations.Count, SharedAlerts = shared.Count,
            Reason = Reason(correlations, mean, shared, months),
        };
    }

    /// <summary>Pearson correlation of ln(1 + x) over the months both published, and its weight; null if too few or flat.</summary>
    internal static (double R, double Weight)? Correlation(IReadOnlyList<double?> a, IReadOnlyList<double?> b)
    {
        var pairs = a.Zip(b).Where(p => p.First is not null && p.Second is not null)
            .Select(p => (X: Math.Log(1 + p.First!.Value), Y: Math.Log(1 + p.Second!.Value), RawX: p.First.Value, RawY: p.Second.Value))
            .ToList();
        if (pairs.Count < MinimumSharedMonths)
        {
            return null;
        }

        var mx = pairs.Average(p => p.X);
        var my = pairs.Average(p => p.Y);
        var sxy = pairs.Sum(p => (p.X - mx) * (p.Y - my));
        var sxx = pairs.Sum(p => (p.X - mx) * (p.X - mx));
        var syy = pairs.Sum(p => (p.Y - my) * (p.Y - my));
        if (sxx <= 1e-12 || syy <= 1e-12)
        {
            return null;
        }

        var smaller = Math.Min(pairs.Average(p => p.RawX), pairs.Average(p => p.RawY));
        return (sxy / Math.Sqrt(sxx * syy), pairs.Count * Math.Log10(10 + smaller));
    }

    /// <summary>Series on which both states alarmed within a month of each other, with the months.</summary>
    private static List<(string Dims, string Months)> SharedAlerts(List<TrendAlert> mine, List<TrendAlert> theirs)
    {
        var shared = new List<(string, string)>();
        foreach (var series in mine.GroupBy(a => a.Key))
        {
            var months = series
                .Where(a => theirs.Any(t => t.Key == a.Key && Math.Abs(MonthIndex(t.Month) - MonthIndex(a.Month)) <= 1))
                .Select(a => a.Month)
                .Order(StringComparer.Ordinal)
                .ToList();
            if (months.Count > 0)
            {
                var name = series.Key.Dims is "" ? series.Key.Measure : series.Key.Dims;
                shared.Add((name, string.Join(", ", months.Take(3)) + (months.Count > 3 ? ", …" : "")));
            }
        }

        return shared;
    }

    private static int MonthIndex(string month)
    {
        var day = Months.Parse(month);
        return (day.Year * 12) + day.Month;
    }

    private static string Reason(List<(string Name, double R, double Weight)> correlations, double mean, List<(string Dims, string Months)> shared, int months)
    {
        var parts = new List<string>();
        if (correlations.Count == 0)
        {
            parts.Add($"no series both published for {MinimumSharedMonths}+ of the last {months} months");
        }
        else
        {
            var one = correlations.Count == 1;
            var direction = mean >= 0.5 ? (one ? "rises and falls together" : "rise and fall together")
                : mean >= 0.2 ? (one ? "moves somewhat alike" : "move somewhat alike")
                : mean > -0.2 ? (one ? "moves independently" : "move independently")
                : (one ? "moves in the opposite direction" : "move in opposite directions");
            var closest = correlations.Where(c => c.R >= 0.3).OrderByDescending(c => c.R).Take(3)
                .Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Name} (r = {c.R:0.00})"))
                .ToList();
            parts.Add(string.Create(CultureInfo.InvariantCulture,
                $"{correlations.Count} shared series {direction} over the last {months} months (mean r = {mean:0.00})"));
            parts.Add(closest.Count > 0 ? $"alike: {string.Join(", ", closest)}" : "no shared series alike (r ≥ 0.3)");
        }

        if (shared.Count > 0)
        {
            parts.Add($"alerts on the same series: {string.Join("; ", shared.Take(3).Select(s => $"{s.Dims} ({s.Months})"))}{(shared.Count > 3 ? $" and {shared.Count - 3} more" : "")}");
        }

        return string.Join("; ", parts);
    }
}
