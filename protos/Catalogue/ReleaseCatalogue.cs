namespace VrsMsrc.Contracts.Catalogue;

/// <summary>One monthly table of the release catalogue: the only shapes of data that may leave a node.</summary>
public sealed record CatalogueTable(string Name, IReadOnlyList<string> Dimensions, IReadOnlyList<string> Measures)
{
    /// <summary>Position of <paramref name="dimension"/> in a cell's dims, or -1.</summary>
    public int DimensionIndex(string dimension) => Dimensions.ToList().IndexOf(dimension);
}

/// <summary>The release catalogue (DESIGN §3.3), defined once for node and hub.</summary>
public static class ReleaseCatalogue
{
    public static CatalogueTable Totals { get; } =
        new("totals", [], ["incidents", "migrants", "facilitators", "dead_missing"]);

    public static CatalogueTable Corridors { get; } =
        new("corridors", ["corridor", "border_type"], ["incidents", "migrants"]);

    public static CatalogueTable Flows { get; } =
        new("flows", ["nationality", "border_type", "context", "corridor"], ["migrants"]);

    public static IReadOnlyList<CatalogueTable> All { get; } = [Totals, Corridors, Flows];

    /// <summary>The widest table; stores keep this many dimension columns.</summary>
    public static int MaxDimensions { get; } = All.Max(t => t.Dimensions.Count);

    public static CatalogueTable? Find(string name) => All.FirstOrDefault(t => t.Name == name);
}
