namespace VrsMsrc.Contracts.CodeLists;

/// <summary>
/// The code lists of input format v1 (DESIGN §3.1) that node and hub share, shipped as data files
/// beside this class, each naming its source.
/// </summary>
public static class Codes
{
    /// <summary>Sent in Hello so that node and hub can tell whether they validate against the same lists.</summary>
    public const string Version = "2026.1";

    public static CodeList Nationalities { get; } = CodeList.FromResource("nationality", "CodeLists.nationalities.csv");

    public static CodeList Currencies { get; } = CodeList.FromResource("currency", "CodeLists.currencies.csv");

    /// <summary>Default corridor list; a hub may serve its own, which nodes then cache.</summary>
    public static CodeList DefaultCorridors { get; } = CodeList.FromResource("corridor", "CodeLists.corridors.csv");

    private static readonly IReadOnlyDictionary<string, CodeList> Enumerations = CodeList.EnumerationsFromResource("CodeLists.enumerations.csv");

    public static CodeList Agencies => Enumerations["agency"];
    public static CodeList Contexts => Enumerations["context"];
    public static CodeList BorderTypes => Enumerations["border_type"];

    /// <summary>UNECE Recommendation 19 modes of transport, plus foot.</summary>
    public static CodeList TransportModes => Enumerations["transport_mode"];
    public static CodeList DocumentFraud => Enumerations["doc_fraud"];
    public static CodeList DocumentTypes => Enumerations["doc_type"];
    public static CodeList Concealment => Enumerations["concealment"];
    public static CodeList Sexes => Enumerations["sex"];
    public static CodeList AgeBands => Enumerations["age_band"];
    public static CodeList FeeScopes => Enumerations["fee_scope"];
    public static CodeList PaymentMethods => Enumerations["payment_method"];
    public static CodeList Outcomes => Enumerations["outcome"];
    public static CodeList Roles => Enumerations["role"];
    public static CodeList CriminalJusticeStages => Enumerations["cj_stage"];

    /// <summary>Countries only: origin, destination and transit points are places, not ICAO person codes.</summary>
    public static bool IsCountry(string code) => Nationalities.Contains(code) && !code.StartsWith("XX", StringComparison.OrdinalIgnoreCase);
}
