using VrsMsrc.Contracts.Text;

namespace VrsMsrc.Hub.Trends.Alerts;

/// <summary>
/// Puts first what an analyst should look at first. The score multiplies three things:
/// <list type="bullet">
/// <item>size: log10(1 + excess) · (1 + log2(observed / max(bound, 1))), so that both a large absolute
/// excess and a large jump over the bound count, and a few migrants over a tiny bound count little;</item>
/// <item>persistence: 1 + 0.25 per earlier consecutive alarming month of the same series, at most 4 of them
/// (a movement that lasts is more than a blip);</item>
/// <item>breadth: 1 + 0.5 per further state alarming on the same table, measure and dims within a month
/// (several states seeing it at once).</item>
/// </list>
/// </summary>
internal static class AlertRanking
{
    public const int PersistenceCap = 5;

    public static IReadOnlyList<TrendAlert> Rank(IEnumerable<TrendAlert> alarms)
    {
        var all = alarms.ToList();
        var persistence = new Dictionary<TrendAlert, int>(ReferenceEqualityComparer.Instance);
        foreach (var series in all.GroupBy(a => (a.State, a.Key)))
        {
            var run = 0;
            DateOnly? previous = null;
            foreach (var alert in series.OrderBy(a => a.Month, StringComparer.Ordinal))
            {
                var month = Months.Parse(alert.Month);
                run = previous is { } p && p.AddMonths(1) == month ? run + 1 : 1;
                persistence[alert] = run;
                previous = month;
            }
        }

        // States per series key and month, to count the states alarming near each alarm.
        var statesByMonth = all.Where(a => a.State is not "")
            .GroupBy(a => (a.Key, a.Month))
            .ToDictionary(g => g.Key, g => g.Select(a => a.State).ToHashSet(StringComparer.Ordinal));

        return all
            .Select(a =>
            {
                var month = Months.Parse(a.Month);
                var near = new HashSet<string>(StringComparer.Ordinal);
                for (var d = -1; d <= 1; d++)
                {
                    if (statesByMonth.TryGetValue((a.Key, Months.Format(month.AddMonths(d))), out var states))
                    {
                        near.UnionWith(states);
                    }
                }

                var breadth = Math.Max(1, near.Count);
                var run = persistence[a];
                return a with { Persistence = run, StatesAlarming = breadth, Score = Score(a.Observed, a.UpperBound, run, breadth) };
            })
            .OrderByDescending(a => a.Score)
            .ThenBy(a => a.Month, StringComparer.Ordinal)
            .ThenBy(a => a.State, StringComparer.Ordinal)
            .ThenBy(a => a.Dims, StringComparer.Ordinal)
            .ToList();
    }

    public static double Score(double observed, double upperBound, int persistence, int states)
    {
        var excess = Math.Max(0, observed - upperBound);
        var jump = Math.Max(0, Math.Log2(observed / Math.Max(upperBound, 1)));
        var size = Math.Log10(1 + excess) * (1 + jump);
        var lasting = 1 + (0.25 * (Math.Min(persistence, PersistenceCap) - 1));
        var broad = 1 + (0.5 * (states - 1));
        return Math.Round(size * lasting * broad, 3);
    }
}
