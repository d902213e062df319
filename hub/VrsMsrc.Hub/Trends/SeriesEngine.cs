using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using VrsMsrc.Contracts.Catalogue;
using VrsMsrc.Contracts.Text;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Storage;

namespace VrsMsrc.Hub.Trends;

/// <summary>A question the engine will not answer, with the reason for the analyst.</summary>
internal sealed class QueryException(string message) : Exception(message);

/// <summary>
/// Series over the catalogue tables: published values summed by period and group. Cells that were not
/// published are never counted as zero: the flag says whether the states covered the period
/// ("suppressed") or did not release it at all ("missing"). Every question is checked against the
/// caller's <see cref="QueryScope"/> here, in the engine, so no way in can skip the sharing rule.
/// </summary>
internal sealed partial class SeriesEngine(ICellStore store)
{
    public const string Suppressed = "suppressed";
    public const string Missing = "missing";

    /// <summary>Longest span a question may cover: a century of months is already far beyond the data.</summary>
    public const int MaxMonths = 1200;

    public SeriesResponse Series(SeriesRequest request, QueryScope scope)
    {
        CheckSizes(request);
        var table = ReleaseCatalogue.Find(request.Table)
            ?? TableChoice.For(request)
            ?? throw new QueryException($"unknown table '{request.Table}'; tables: {string.Join(", ", ReleaseCatalogue.All.Select(t => t.Name))}");
        if (!table.Measures.Contains(request.Measure))
        {
            throw new QueryException($"table {table.Name} has no measure '{request.Measure}'; measures: {string.Join(", ", table.Measures)}");
        }

        var by = request.By;
        var byDimensions = ByDimensions(table, by);

        var period = request.Period is "" ? "month" : request.Period;
        if (period is not ("month" or "quarter" or "year"))
        {
            throw new QueryException($"period must be month, quarter or year, not '{period}'");
        }

        var query = new CellQuery(table.Name, request.Measure, table.Dimensions.Count,
            MonthOrNull(request.From, "from"), MonthOrNull(request.To, "to"), States(request.States), Filters(table, request.Where));
        CheckRange(query.FromMonth, query.ToMonth);
        scope.Authorize(query.States, by == "state");
        var cells = store.Cells(query);
        var coverage = store.Coverage(query);

        var response = new SeriesResponse { Table = table.Name };
        if (coverage.Count == 0 && (query.FromMonth is null || query.ToMonth is null))
        {
            return response;
        }

        var first = query.FromMonth ?? coverage.Min(c => c.Month)!;
        var last = query.ToMonth ?? coverage.Max(c => c.Month)!;
        CheckRange(first, last);
        // One pass over the cells with no per-cell allocation: the period of each month is worked out once,
        // and a group of one dimension is that dimension's value itself.
        var periods = new Dictionary<string, string>(StringComparer.Ordinal);
        string Period(string month)
        {
            if (!periods.TryGetValue(month, out var p))
            {
                periods[month] = p = PeriodOf(month, period);
            }

            return p;
        }

        var coveredBy = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (state, month) in coverage)
        {
            var p = Period(month);
            if (!coveredBy.TryGetValue(p, out var states))
            {
                coveredBy[p] = states = new HashSet<string>(StringComparer.Ordinal);
            }

            states.Add(state);
        }

        var sums = new Dictionary<(string Period, string Group), long>();
        var groupsSeen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var cell in cells)
        {
            var group = GroupOf(cell, by, byDimensions);
            groupsSeen.Add(group);
            CollectionsMarshal.GetValueRefOrAddDefault(sums, (Period(cell.Month), group), out _) += cell.Value;
        }

        var groups = by == "state"
            ? coverage.Select(c => c.State).Distinct().Order(StringComparer.Ordinal).ToList()
            : by == "" ? [""] : groupsSeen.Order(StringComparer.Ordinal).ToList();

        foreach (var p in PeriodsBetween(first, last, period))
        {
            var states = coveredBy.GetValueOrDefault(p);
            foreach (var group in groups)
            {
                var covered = states is not null && (by != "state" || states.Contains(group));
                var point = new SeriesPoint { Period = p, Group = group };
                if (sums.TryGetValue((p, group), out var value))
                {
                    point.Value = value;
                }
                else
                {
                    point.Flag = covered ? Suppressed : Missing;
                }

                response.Points.Add(point);
            }
        }

        response.States.AddRange(coverage.Select(c => c.State).Distinct().Order(StringComparer.Ordinal));
        response.FirstMonth = first;
        response.LastMonth = last;
        return response;
    }

    private static string GroupOf(StoredCell cell, string by, int[] dimensions) =>
        by == "state" ? cell.State : dimensions.Length switch
        {
            0 => "",
            1 => cell.Dims[dimensions[0]],
            _ => string.Join(GroupSeparator, dimensions.Select(d => cell.Dims[d])),
        };

    public static string PeriodOf(string month, string period) => period switch
    {
        "year" => month[..4],
        "quarter" => $"{month[..4]}-Q{((int.Parse(month[5..7], CultureInfo.InvariantCulture) - 1) / 3) + 1}",
        _ => month,
    };

    private static IEnumerable<string> PeriodsBetween(string first, string last, string period)
    {
        var day = Months.Parse(first);
        var end = Months.Parse(last);
        string? previous = null;
        for (; day <= end; day = day.AddMonths(1))
        {
            var p = PeriodOf(Months.Format(day), period);
            if (p != previous)
            {
                yield return p;
                previous = p;
            }
        }
    }

    private static string? MonthOrNull(string value, string name)
    {
        if (value is "")
        {
            return null;
        }

        return Months.TryParse(value, out _) ? value : throw new QueryException($"--{name} must be YYYY-MM, not '{value}'");
    }

    /// <summary>
    /// Bounds what a caller may send before anything is parsed, so that hostile input costs the hub
    /// (and its audit log, which records the question) little.
    /// </summary>
    private static void CheckSizes(SeriesRequest request)
    {
        string[] fields = [request.Table, request.Measure, request.By, request.Period, request.From, request.To, .. request.States, .. request.Where];
        if (fields.Any(f => f.Length > 128) || request.States.Count > 300 || request.Where.Count > 8)
        {
            throw new QueryException("the question is too large: fields of at most 128 characters, at most 300 states and 8 filters");
        }
    }

    /// <summary>Refuses a reversed range, or one so long that answering it would only burn the hub's time.</summary>
    private static void CheckRange(string? from, string? to)
    {
        if (from is null || to is null)
        {
            return;
        }

        var months = ((Months.Parse(to).Year - Months.Parse(from).Year) * 12) + Months.Parse(to).Month - Months.Parse(from).Month + 1;
        if (months < 1)
        {
            throw new QueryException($"--from {from} is after --to {to}");
        }

        if (months > MaxMonths)
        {
            throw new QueryException($"--from {from} to --to {to} spans {months} months; at most {MaxMonths} may be asked at once");
        }
    }

    private static List<string> States(IEnumerable<string> states) =>
        states.Select(s => StatePattern().IsMatch(s) ? s.ToUpperInvariant() : throw new QueryException($"'{s}' is not an ISO 3166-1 alpha-3 code"))
            .ToList();

    private static List<(int, string)> Filters(CatalogueTable table, IEnumerable<string> where) =>
        where.Select(w =>
        {
            var eq = w.IndexOf('=', StringComparison.Ordinal);
            var dimension = eq > 0 ? table.DimensionIndex(w[..eq]) : -1;
            if (dimension < 0)
            {
                throw new QueryException($"filter '{w}' must be DIM=VALUE with DIM one of: {string.Join(", ", table.Dimensions)}");
            }

            // Values travel as SQL parameters anyway; refusing anything that is not code-shaped keeps
            // hostile text out of logs and answers too.
            var value = w[(eq + 1)..];
            return CodePattern().IsMatch(value)
                ? (dimension, value)
                : throw new QueryException($"filter value '{value}' is not a code (letters, digits, '_', '-', '.', '+'; at most 64)");
        }).ToList();

    [GeneratedRegex("^[A-Za-z]{3}$")]
    private static partial Regex StatePattern();

    [GeneratedRegex("^[A-Za-z0-9_.+-]{1,64}$")]
    private static partial Regex CodePattern();
}
