using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using VrsMsrc.Contracts.Text;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Trends.Detection;

namespace VrsMsrc.Hub.Trends.Alerts;

/// <summary>What a detection pass found, ranked, and how much it looked at.</summary>
internal sealed record AlertPassResult(IReadOnlyList<TrendAlert> Alerts, int SeriesWatched, int MonthsJudged, string FirstMonth, string LastMonth);

/// <summary>
/// The detection pass over every watched series (<see cref="WatchList"/>), per state and regionally. The
/// monthly series come from the series engine, so a month is a published sum, or missing (not released,
/// or suppressed: below the threshold or none) and then null for the detectors, never zero.
/// <para>
/// Each month is judged by Farrington Flexible (improved Noufaily settings) once 4 years of the series lie
/// before it, and by EARS C2 before that, where Farrington cannot fit a model, and where Farrington's bound
/// lies below every count of the past year: then its time trend has run away (typically after a surge
/// leaves the baseline years, the fall is extrapolated towards zero) and it would call ordinary months
/// alarms.
/// </para>
/// <para>
/// A verdict depends only on the <see cref="Window"/> months up to the month judged, so each is computed on
/// that window alone and remembered by its content until the next pass: after an ingest, only the months
/// whose window changed are judged again.
/// </para>
/// </summary>
internal sealed class AlertPass(SeriesEngine series)
{
    /// <summary>Fewer published months than this make no series worth judging.</summary>
    public const int MinimumPublishedMonths = 12;

    public const string Farrington = "farrington";
    public const string Ears = "ears-c2";

    /// <summary>Months before the judged one that any verdict reads: Farrington's b years plus its half-window, and a margin.</summary>
    public const int Window = 50;

    private static readonly FarringtonSettings FarringtonSettings = FarringtonSettings.NoufailyMonthly;

    private ConcurrentDictionary<WindowKey, Judged> _remembered = new();

    /// <summary>Months of history Farrington needs before the month it judges (b years).</summary>
    public static int FarringtonHistory => FarringtonSettings.Years * FarringtonSettings.Frequency;

    public AlertPassResult Run(CancellationToken cancellationToken = default)
    {
        var watched = new List<MonthlySeries>();
        var regional = new List<MonthlySeries>();
        string first = "", last = "";
        foreach (var kind in WatchList.All)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var all = Read(kind, state: null);
            if (all.FirstMonth is "")
            {
                continue;
            }

            first = first is "" || string.CompareOrdinal(all.FirstMonth, first) < 0 ? all.FirstMonth : first;
            last = string.CompareOrdinal(all.LastMonth, last) > 0 ? all.LastMonth : last;
            foreach (var state in all.States)
            {
                watched.AddRange(Split(kind, state, Read(kind, state)));
            }

            regional.AddRange(Split(kind, "", all));
        }

        // How many states published each series each month: a regional month resting on one state says
        // nothing that state's own series does not, so it raises no regional alert.
        var publishers = watched
            .SelectMany(s => s.Observed.Select((o, i) => (s, o, i)).Where(x => x.o is not null).Select(x => (x.s.Key, Month: x.s.Month(x.i))))
            .GroupBy(x => x)
            .ToDictionary(g => g.Key, g => g.Count());
        watched.AddRange(regional);

        var remembered = _remembered;
        var next = new ConcurrentDictionary<WindowKey, Judged>();
        var alarms = new ConcurrentBag<TrendAlert>();
        var judged = new StrongBox<int>();
        Parallel.ForEach(watched, new ParallelOptions { CancellationToken = cancellationToken }, s =>
        {
            foreach (var alarm in Judge(s, remembered, next, judged))
            {
                if (alarm.State is not "" || publishers.GetValueOrDefault((s.Key, alarm.Month)) > 1)
                {
                    alarms.Add(alarm);
                }
            }
        });
        _remembered = next;
        return new AlertPassResult(AlertRanking.Rank(alarms), watched.Count, judged.Value, first, last);
    }

    /// <summary>Alarms of one series, without remembering anything: for tests and one-off use.</summary>
    public static IReadOnlyList<TrendAlert> Judge(MonthlySeries s)
    {
        return Judge(s, new ConcurrentDictionary<WindowKey, Judged>(), new ConcurrentDictionary<WindowKey, Judged>(), new StrongBox<int>());
    }

    private static List<TrendAlert> Judge(
        MonthlySeries s, ConcurrentDictionary<WindowKey, Judged> remembered, ConcurrentDictionary<WindowKey, Judged> next, StrongBox<int> judged)
    {
        var alarms = new List<TrendAlert>();
        var observed = s.Observed.ToArray();
        for (var i = 0; i < observed.Length; i++)
        {
            if (observed[i] is not { } count)
            {
                continue;
            }

            var (window, at) = WindowOf(observed, i);
            var verdict = next.GetOrAdd(WindowKey.Of(window), key =>
            {
                if (remembered.TryGetValue(key, out var known))
                {
                    return known;
                }

                Interlocked.Increment(ref judged.Value);
                return Verdict(window, at);
            });
            if (verdict is { Alarm: true, UpperBound: { } bound })
            {
                alarms.Add(new TrendAlert(s.State, s.Table, s.Measure, s.Dims, s.Month(i), count, Math.Round(bound, 3), verdict.Method));
            }
        }

        return alarms;
    }

    /// <summary>
    /// The verdict of every month of one series as the pass judges it (null for unpublished months): the
    /// upper bound of each month, alarming or not, for the alerts page's band.
    /// </summary>
    public static IReadOnlyList<Judged?> Verdicts(MonthlySeries s)
    {
        var observed = s.Observed.ToArray();
        return [.. observed.Select((o, i) =>
        {
            var (window, at) = WindowOf(observed, i);
            return o is null ? (Judged?)null : Verdict(window, at);
        })];
    }

    /// <summary>The months a verdict on month <paramref name="i"/> reads, and where <paramref name="i"/> lies in them.</summary>
    private static (ArraySegment<double?> Window, int At) WindowOf(double?[] observed, int i)
    {
        var start = Math.Max(0, i - Window);
        return (new ArraySegment<double?>(observed, start, i - start + 1), i - start);
    }

    private static Judged Verdict(IReadOnlyList<double?> window, int month)
    {
        if (month >= FarringtonHistory)
        {
            var farrington = new FarringtonFlexible(FarringtonSettings).Evaluate(window, month);
            var pastYear = Enumerable.Range(Math.Max(0, month - 12), Math.Min(12, month)).Select(t => window[t]).OfType<double>().ToList();
            var runaway = farrington.UpperBound is { } bound && pastYear.Count > 0 && bound < pastYear.Min();
            if (farrington.Alarm is not null && !runaway)
            {
                return new Judged(farrington.UpperBound, farrington.Alarm, Farrington);
            }
        }

        var ears = new EarsC(EarsVariant.C2).Evaluate(window, month);
        return new Judged(ears.UpperBound, ears.Alarm, Ears);
    }

    private SeriesResponse Read(WatchedSeries kind, string? state)
    {
        var request = new SeriesRequest { Table = kind.Table.Name, Measure = kind.Measure, By = string.Join(',', kind.By), Period = "month" };
        if (state is not null)
        {
            request.States.Add(state);
        }

        // A system pass over everything; what each caller may read of its result is decided when alerts are read.
        return series.Series(request, TrendQueries.All);
    }

    /// <summary>One monthly series per group, trimmed to its first..last published month.</summary>
    internal static IEnumerable<MonthlySeries> Split(WatchedSeries kind, string state, SeriesResponse response)
    {
        foreach (var group in response.Points.GroupBy(p => p.Group, StringComparer.Ordinal))
        {
            var points = group.ToList();
            var firstPublished = points.FindIndex(p => p.Flag is "");
            var lastPublished = points.FindLastIndex(p => p.Flag is "");
            if (firstPublished < 0)
            {
                continue;
            }

            var observed = points.Skip(firstPublished).Take(lastPublished - firstPublished + 1)
                .Select(p => p.Flag is "" ? p.Value : (double?)null)
                .ToArray();
            if (observed.Count(o => o is not null) < MinimumPublishedMonths)
            {
                continue;
            }

            var values = kind.By.Count == 0 ? [] : group.Key.Split(SeriesEngine.GroupSeparator);
            var dims = string.Join(';', kind.By.Zip(values, (k, v) => $"{k}={v}").Order(StringComparer.Ordinal));
            yield return new MonthlySeries(state, kind.Table.Name, kind.Measure, dims, points[firstPublished].Period, observed);
        }
    }

    /// <summary>A verdict as the pass keeps it: which detector gave it.</summary>
    internal readonly record struct Judged(double? UpperBound, bool? Alarm, string Method);

    /// <summary>
    /// A 128-bit fingerprint of a window (its length and values, missing months included). Two independent
    /// 64-bit mixes make a collision between the few million windows of a pass practically impossible.
    /// </summary>
    private readonly record struct WindowKey(ulong A, ulong B)
    {
        public static WindowKey Of(ArraySegment<double?> window)
        {
            ulong a = 0xcbf29ce484222325UL ^ (ulong)window.Count, b = 0x9e3779b97f4a7c15UL + (ulong)window.Count;
            foreach (var value in window)
            {
                var bits = value is { } v ? BitConverter.DoubleToUInt64Bits(v) : 0xfff8_dead_beef_0001UL;
                a = (a ^ bits) * 0x100000001b3UL;
                a ^= a >> 29;
                b = (b + bits) * 0xff51afd7ed558ccdUL;
                b ^= b >> 33;
            }

            return new WindowKey(a, b);
        }
    }
}

/// <summary>One watched series: months from <see cref="FirstMonth"/> on, null where not published.</summary>
internal sealed record MonthlySeries(string State, string Table, string Measure, string Dims, string FirstMonth, IReadOnlyList<double?> Observed)
{
    public (string Table, string Measure, string Dims) Key => (Table, Measure, Dims);

    public string Month(int index) => Months.Format(Months.Parse(FirstMonth).AddMonths(index));
}
