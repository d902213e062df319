using VrsMsrc.Contracts.Catalogue;
using VrsMsrc.Contracts.Text;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Nodes;
using VrsMsrc.Hub.Storage;

namespace VrsMsrc.Hub.Trends.Coverage;

/// <summary>
/// Coverage and freshness per node: which months it has released (every release carries every table,
/// so the totals table's months are the node's), the gaps between its first and last month, and how many
/// complete months have passed since its last one (0 when it has released last month). A restricted
/// caller sees its own node only.
/// </summary>
internal sealed class CoverageQuery(ICellStore store, INodeRegistry registry, TimeProvider time)
{
    public CoverageResponse Answer(CoverageRequest request, QueryScope scope)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(scope);
        // Coverage is listed per state: a restricted caller who names no state gets its own.
        var visible = SeriesEngine.StateArguments(request.States);
        if (!scope.SeesAllStates && visible.Count == 0 && scope.OwnState is { } own)
        {
            visible = [own];
        }

        scope.Authorize(visible, groupedByState: true);
        var now = time.GetUtcNow();
        var months = store.Coverage(new CellQuery(ReleaseCatalogue.Totals.Name, "", 0, null, null, visible, []))
            .GroupBy(c => c.State)
            .ToDictionary(g => g.Key, g => g.Select(c => c.Month).Order(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        var nodes = registry.List().ToDictionary(n => n.State, StringComparer.Ordinal);
        var states = nodes.Keys.Union(months.Keys).Where(s => visible.Count == 0 || visible.Contains(s)).Order(StringComparer.Ordinal);

        var response = new CoverageResponse { AsOf = now.ToString("O") };
        foreach (var state in states)
        {
            var node = new NodeCoverage { State = state };
            if (nodes.TryGetValue(state, out var summary))
            {
                node.Releases = (int)summary.Releases;
                node.LastReleaseAt = summary.LastReleaseAt ?? "";
            }

            if (months.TryGetValue(state, out var released))
            {
                node.FirstMonth = released[0];
                node.LastMonth = released[^1];
                node.Months = released.Count;
                node.Gaps = RangeCells.MonthsBetween(released[0], released[^1]) - released.Count;
                node.MonthsBehind = Math.Max(0, RangeCells.MonthsBetween(released[^1], Months.Of(now)) - 2);
            }

            response.Nodes.Add(node);
        }

        return response;
    }
}
