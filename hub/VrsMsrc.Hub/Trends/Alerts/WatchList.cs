using VrsMsrc.Contracts.Catalogue;

namespace VrsMsrc.Hub.Trends.Alerts;

/// <summary>
/// A kind of series the detection pass watches: a measure by some dimensions, read from the coarsest
/// table that has them (which loses least to the threshold). Each group of the dimensions is one series
/// per state and one regional series.
/// </summary>
internal sealed record WatchedSeries(string Name, string Measure, IReadOnlyList<string> By)
{
    public CatalogueTable Table { get; } = TableChoice.Covering(Measure, By)
        ?? throw new InvalidOperationException($"no catalogue table has {Measure} by {string.Join(", ", By)}");
}

/// <summary>
/// What an analyst would want to be told about when it moves (issue 6): totals, corridors, nationalities,
/// legs, fee levels; plus deaths per corridor and smugglers per role, which the catalogue also publishes.
/// </summary>
internal static class WatchList
{
    public static IReadOnlyList<WatchedSeries> All { get; } =
    [
        new("migrants", "migrants", []),
        new("incidents", "incidents", []),
        new("facilitators", "facilitators", []),
        new("dead or missing", "dead_missing", []),
        new("corridor", "migrants", ["corridor"]),
        new("nationality", "migrants", ["nationality"]),
        new("leg", "migrants", ["from_country", "to_country"]),
        new("fee level", "fee_reports", ["currency", "fee_band"]),
        new("deaths by corridor", "dead_missing", ["corridor"]),
        new("smuggler role", "facilitators", ["role"]),
    ];
}
