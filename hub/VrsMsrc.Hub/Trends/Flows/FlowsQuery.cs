using VrsMsrc.Contracts.Catalogue;
using VrsMsrc.Contracts.V1;

namespace VrsMsrc.Hub.Trends.Flows;

/// <summary>
/// Flows over a range of months: the legs table as a weighted graph (edges from-country → to-country,
/// weighted by migrants; nodes with the migrants leaving and entering each country), and the corridors
/// from the coarsest table that has them. Edges are summed over transport modes unless one is asked for.
/// </summary>
internal sealed class FlowsQuery(RangeReader reader)
{
    public const int DefaultTop = 20;
    public const int MaxTop = 1000;

    public FlowsResponse Answer(FlowsRequest request, QueryScope scope)
    {
        ArgumentNullException.ThrowIfNull(request);
        var range = RangeArguments.Parse(request.From, request.To, request.States, scope);
        var top = request.Top is 0 ? DefaultTop : request.Top;
        if (top is < 1 or > MaxTop)
        {
            throw new QueryException($"top must be 1..{MaxTop}, not {request.Top}");
        }

        var legsTable = ReleaseCatalogue.Legs;
        var legFilters = request.TransportMode is "" ? [] : SeriesEngine.FilterArguments(legsTable, [$"transport_mode={request.TransportMode}"]);
        var legCells = reader.Read(legsTable, "migrants", range.From, range.To, range.States, legFilters);
        var legs = legCells.Sum([legsTable.DimensionIndex("from_country"), legsTable.DimensionIndex("to_country")]);

        List<string> corridorDimensions = request.BorderType is "" ? ["corridor"] : ["corridor", "border_type"];
        var corridorTable = TableChoice.Covering("migrants", corridorDimensions)!;
        var corridorFilters = request.BorderType is "" ? [] : SeriesEngine.FilterArguments(corridorTable, [$"border_type={request.BorderType}"]);
        var corridorCells = reader.Read(corridorTable, "migrants", range.From, range.To, range.States, corridorFilters);

        var response = new FlowsResponse { Coverage = legCells.Coverage(), CorridorCoverage = corridorCells.Coverage() };
        response.Legs.AddRange(legs.Take(top).Select(r => new FlowLeg
        {
            FromCountry = r.Dims[0], ToCountry = r.Dims[1], Migrants = r.Value,
            States = r.States, PublishedMonths = r.PublishedMonths, UnpublishedMonths = r.UnpublishedMonths, Flag = r.Flag,
        }));
        response.Corridors.AddRange(corridorCells.Sum([corridorTable.DimensionIndex("corridor")]).Take(top).Select(r => new CorridorFlow
        {
            Corridor = r.Dims[0], Migrants = r.Value,
            States = r.States, PublishedMonths = r.PublishedMonths, UnpublishedMonths = r.UnpublishedMonths, Flag = r.Flag,
        }));

        // Graph nodes are weighed over every edge, not only the top ones shown.
        var outgoing = legs.GroupBy(r => r.Dims[0]).ToDictionary(g => g.Key, g => g.Sum(r => r.Value), StringComparer.Ordinal);
        var incoming = legs.GroupBy(r => r.Dims[1]).ToDictionary(g => g.Key, g => g.Sum(r => r.Value), StringComparer.Ordinal);
        response.Countries.AddRange(outgoing.Keys.Union(incoming.Keys)
            .Select(c => new CountryFlow { Country = c, Outgoing = outgoing.GetValueOrDefault(c), Incoming = incoming.GetValueOrDefault(c) })
            .OrderByDescending(c => c.Outgoing + c.Incoming)
            .ThenBy(c => c.Country, StringComparer.Ordinal)
            .Take(top));
        return response;
    }
}
