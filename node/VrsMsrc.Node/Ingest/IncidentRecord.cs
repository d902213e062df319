using VrsMsrc.Contracts.CodeLists;

namespace VrsMsrc.Node.Ingest;

/// <summary>A validated incident row of input format v1 (DESIGN §3.1), codes in canonical spelling.</summary>
internal sealed record IncidentRecord
{
    public required string Ref { get; init; }
    public required string DetectedOn { get; init; }
    public required string Month { get; init; }
    public string? Agency { get; init; }
    public string? Context { get; init; }
    public string? BorderType { get; init; }
    public string? TransportMode { get; init; }
    public string? Corridor { get; init; }
    public string? Origin { get; init; }
    public string? Destination { get; init; }
    public string? Transits { get; init; }
    public string? Nationality { get; init; }
    public long? Migrants { get; init; }
    public long? Facilitators { get; init; }
    public long? DeadMissing { get; init; }
    public string? DocFraud { get; init; }
    public string? DocType { get; init; }
    public string? Concealment { get; init; }

    public static IReadOnlySet<string> Fields { get; } = new HashSet<string>
    {
        "ref", "detected_on", "agency", "context", "border_type", "transport_mode", "corridor", "origin", "destination",
        "transits", "nationality", "migrants", "facilitators", "dead_missing", "doc_fraud", "doc_type", "concealment",
    };

    /// <summary>Checks one row; every problem of the row is reported, not just the first.</summary>
    public static (IncidentRecord? Record, List<ImportProblem> Problems) Validate(
        InputRecord input, string file, CodeList corridors, DateOnly today)
    {
        var row = new RowCheck(input, file);
        row.RefuseUnknownFields(Fields);
        var (day, month) = row.DetectedOn("detected_on", today);
        var record = new IncidentRecord
        {
            Ref = row.Reference("ref"),
            DetectedOn = day,
            Month = month,
            Agency = row.Code("agency", Codes.Agencies),
            Context = row.Code("context", Codes.Contexts),
            BorderType = row.Code("border_type", Codes.BorderTypes),
            TransportMode = row.Code("transport_mode", Codes.TransportModes),
            Corridor = row.Code("corridor", corridors),
            Origin = row.Country("origin"),
            Destination = row.Country("destination"),
            Transits = row.Countries("transits"),
            Nationality = row.Code("nationality", Codes.Nationalities),
            Migrants = row.Count("migrants"),
            Facilitators = row.Count("facilitators"),
            DeadMissing = row.Count("dead_missing"),
            DocFraud = row.Code("doc_fraud", Codes.DocumentFraud),
            DocType = row.Code("doc_type", Codes.DocumentTypes),
            Concealment = row.Code("concealment", Codes.Concealment),
        };
        return (row.Ok ? record : null, row.Problems);
    }
}
