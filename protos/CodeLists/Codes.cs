namespace VrsMsrc.Contracts.CodeLists;

/// <summary>The code lists of input format v1 that node and hub share (DESIGN §3.1).</summary>
public static class Codes
{
    /// <summary>Sent in Hello so that node and hub can tell whether they validate against the same lists.</summary>
    public const string Version = "2026.1";

    public static CodeList Nationalities { get; } = CodeList.FromResource("nationality", "CodeLists.nationalities.csv");

    /// <summary>Default corridor list; a hub may serve its own, which nodes then cache.</summary>
    public static CodeList DefaultCorridors { get; } = CodeList.FromResource("corridor", "CodeLists.corridors.csv");

    public static CodeList BorderTypes { get; } = CodeList.FromValues("border_type", "land", "sea", "air");

    public static CodeList Contexts { get; } = CodeList.FromValues(
        "context", "entry_between_bcp", "entry_at_bcp", "exit", "inland", "at_sea", "air_transit", "other");

    public static CodeList Agencies { get; } = CodeList.FromValues(
        "agency", "police", "immigration", "coast_guard", "customs", "military", "other");

    /// <summary>UNECE Recommendation 19 modes of transport, plus foot.</summary>
    public static CodeList TransportModes { get; } = CodeList.FromValues(
        "transport_mode", "maritime", "rail", "road", "air", "inland_water", "multimodal", "foot", "other");

    public static CodeList DocumentFraud { get; } = CodeList.FromValues(
        "doc_fraud", "none", "counterfeit", "forged", "pseudo", "fraudulently_obtained", "impostor", "other");

    public static CodeList DocumentTypes { get; } = CodeList.FromValues(
        "doc_type", "passport", "visa", "residence_permit", "id_card", "other", "none");

    public static CodeList Concealment { get; } = CodeList.FromValues(
        "concealment", "none", "vehicle", "cargo", "vessel", "on_person", "other");

    /// <summary>Countries only: origin, destination and transit points are places, not ICAO person codes.</summary>
    public static bool IsCountry(string code) => Nationalities.Contains(code) && !code.StartsWith("XX", StringComparison.OrdinalIgnoreCase);
}
