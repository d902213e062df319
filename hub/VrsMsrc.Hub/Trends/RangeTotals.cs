using System.Runtime.InteropServices;
using VrsMsrc.Contracts.Catalogue;
using VrsMsrc.Contracts.Text;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Storage;

namespace VrsMsrc.Hub.Trends;

/// <summary>
/// One figure summed over a range of months, with what it rests on. A state that released a month but
/// published no cell of the row in it (below the threshold, or none) leaves the row a lower bound: it is
/// counted in <see cref="UnpublishedMonths"/> and flagged, never read as zero. States that never
/// published the row in the range are not counted there: nothing tells "always below the threshold"
/// from "none".
/// </summary>
internal sealed record RangeTotal(IReadOnlyList<string> Dims, long Value, int States, int PublishedMonths, int UnpublishedMonths)
{
    public const string Partial = "partial";

    public string Flag => UnpublishedMonths == 0 ? "" : Partial;
}

/// <summary>The published cells of one table and measure over a range, and the months each state released.</summary>
internal sealed record RangeCells(CatalogueTable Table, IReadOnlyList<StoredCell> Cells, IReadOnlyList<(string State, string Month)> Released, string? From, string? To)
{
    /// <summary>
    /// Sums the cells by <paramref name="groupBy"/> (positions in the table's dimensions, in that order).
    /// Rows come largest first, ties by their dimension values.
    /// </summary>
    public IReadOnlyList<RangeTotal> Sum(IReadOnlyList<int> groupBy)
    {
        var releasedBy = Released.GroupBy(r => r.State).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var groups = new Dictionary<string, (long Value, HashSet<(string State, string Month)> Published)>(StringComparer.Ordinal);
        foreach (var cell in Cells)
        {
            var key = groupBy.Count == 1 ? cell.Dims[groupBy[0]] : string.Join(SeriesEngine.GroupSeparator, groupBy.Select(d => cell.Dims[d]));
            ref var group = ref CollectionsMarshal.GetValueRefOrAddDefault(groups, key, out var exists);
            if (!exists)
            {
                group.Published = [];
            }

            group.Value += cell.Value;
            group.Published.Add((cell.State, cell.Month));
        }

        return groups
            .Select(g =>
            {
                var states = g.Value.Published.Select(p => p.State).Distinct(StringComparer.Ordinal).ToList();
                var unpublished = states.Sum(s => releasedBy.GetValueOrDefault(s)) - g.Value.Published.Count;
                var dims = groupBy.Count == 0 ? [] : g.Key.Split(SeriesEngine.GroupSeparator);
                return new RangeTotal(dims, g.Value.Value, states.Count, g.Value.Published.Count, unpublished);
            })
            .OrderByDescending(r => r.Value)
            .ThenBy(r => string.Join(SeriesEngine.GroupSeparator, r.Dims), StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// States and months the answer covers: the asked range (or the released one where a bound was left
    /// open), and the (state, month) pairs in it that a covered state did not release.
    /// </summary>
    public AnswerCoverage Coverage()
    {
        var coverage = new AnswerCoverage { Table = Table.Name, ReleasedMonths = Released.Count };
        if (Released.Count == 0)
        {
            coverage.FirstMonth = From ?? "";
            coverage.LastMonth = To ?? "";
            return coverage;
        }

        var first = From ?? Released.Min(r => r.Month)!;
        var last = To ?? Released.Max(r => r.Month)!;
        var span = MonthsBetween(first, last);
        var states = Released.Select(r => r.State).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        coverage.States.AddRange(states);
        coverage.FirstMonth = first;
        coverage.LastMonth = last;
        coverage.MissingMonths = (states.Count * span) - Released.Count;
        return coverage;
    }

    /// <summary>Months from <paramref name="first"/> to <paramref name="last"/>, both included.</summary>
    public static int MonthsBetween(string first, string last)
    {
        var a = Months.Parse(first);
        var b = Months.Parse(last);
        return ((b.Year - a.Year) * 12) + b.Month - a.Month + 1;
    }
}

/// <summary>Reads what <see cref="RangeCells"/> sums: one query for the cells, one for the released months.</summary>
internal sealed class RangeReader(ICellStore store)
{
    public RangeCells Read(CatalogueTable table, string measure, string? from, string? to, IReadOnlyList<string> states, IReadOnlyList<(int Dimension, string Value)> filters)
    {
        var query = new CellQuery(table.Name, measure, table.Dimensions.Count, from, to, states, filters);
        return new RangeCells(table, store.Cells(query), store.Coverage(query), from, to);
    }
}
