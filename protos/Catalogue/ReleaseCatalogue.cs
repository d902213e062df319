namespace VrsMsrc.Contracts.Catalogue;

/// <summary>One monthly table of the release catalogue: the only shapes of data that may leave a node.</summary>
public sealed record CatalogueTable(string Name, IReadOnlyList<string> Dimensions, IReadOnlyList<string> Measures)
{
    /// <summary>Position of <paramref name="dimension"/> in a cell's dims, or -1.</summary>
    public int DimensionIndex(string dimension) => Dimensions.ToList().IndexOf(dimension);
}

/// <summary>
/// The release catalogue (DESIGN §3.3), defined once for node and hub. Coarse tables sit beside fine
/// ones on purpose: they lose less to the threshold. Where the design lists two groupings for one
/// table (smuggler profile, methods), each grouping is a table of its own.
/// </summary>
public static class ReleaseCatalogue
{
    public static CatalogueTable Totals { get; } =
        new("totals", [], ["incidents", "migrants", "facilitators", "dead_missing"]);

    public static CatalogueTable Corridors { get; } =
        new("corridors", ["corridor", "border_type"], ["incidents", "migrants"]);

    public static CatalogueTable Flows { get; } =
        new("flows", ["nationality", "border_type", "context", "corridor"], ["migrants"]);

    /// <summary>Consecutive pairs of origin, transits and destination.</summary>
    public static CatalogueTable Legs { get; } =
        new("legs", ["from_country", "to_country", "transport_mode"], ["migrants"]);

    public static CatalogueTable MigrantProfile { get; } =
        new("migrant_profile", ["nationality", "sex", "age_band"], ["migrants", "unaccompanied_minors"]);

    public static CatalogueTable SmugglerProfile { get; } =
        new("smuggler_profile", ["nationality", "role", "sex"], ["facilitators"]);

    public static CatalogueTable SmugglerStages { get; } =
        new("smuggler_stages", ["cj_stage", "sex"], ["facilitators"]);

    /// <summary>Fees stay in the currency paid, in 1-2-5 bands (<see cref="FeeBands"/>).</summary>
    public static CatalogueTable Fees { get; } =
        new("fees", ["origin", "destination", "currency", "fee_band"], ["fee_reports"]);

    public static CatalogueTable Methods { get; } =
        new("methods", ["doc_fraud", "doc_type", "transport_mode"], ["incidents"]);

    public static CatalogueTable Concealment { get; } =
        new("concealment", ["concealment", "transport_mode"], ["incidents"]);

    public static CatalogueTable Deaths { get; } =
        new("deaths", ["corridor", "transport_mode"], ["dead_missing"]);

    public static IReadOnlyList<CatalogueTable> All { get; } =
        [Totals, Corridors, Flows, Legs, MigrantProfile, SmugglerProfile, SmugglerStages, Fees, Methods, Concealment, Deaths];

    /// <summary>The widest table; stores keep this many dimension columns.</summary>
    public static int MaxDimensions { get; } = All.Max(t => t.Dimensions.Count);

    public static CatalogueTable? Find(string name) => All.FirstOrDefault(t => t.Name == name);
}
