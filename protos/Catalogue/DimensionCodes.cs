using VrsMsrc.Contracts.CodeLists;

namespace VrsMsrc.Contracts.Catalogue;

/// <summary>
/// Which codes each catalogue dimension may hold, checked by the hub on every cell it receives. Codes
/// must come in their canonical spelling: 'syr' beside 'SYR' would store one nationality as two cells.
/// </summary>
public static class DimensionCodes
{
    public static bool IsKnown(string dimension, string value, IReadOnlySet<string> corridors) =>
        value == DimensionValues.Unknown || dimension switch
        {
            "corridor" => corridors.Contains(value),
            "nationality" => Codes.Nationalities.Canonical(value) == value,
            "from_country" or "to_country" or "origin" or "destination" => Codes.IsCountry(value) && Codes.Nationalities.Canonical(value) == value,
            "border_type" => Codes.BorderTypes.Canonical(value) == value,
            "context" => Codes.Contexts.Canonical(value) == value,
            "transport_mode" => Codes.TransportModes.Canonical(value) == value,
            "sex" => Codes.Sexes.Canonical(value) == value,
            "age_band" => Codes.AgeBands.Canonical(value) == value,
            "role" => Codes.Roles.Canonical(value) == value,
            "cj_stage" => Codes.CriminalJusticeStages.Canonical(value) == value,
            "currency" => Codes.Currencies.Canonical(value) == value,
            "fee_band" => FeeBands.TryParse(value, out _, out _),
            "doc_fraud" => Codes.DocumentFraud.Canonical(value) == value,
            "doc_type" => Codes.DocumentTypes.Canonical(value) == value,
            "concealment" => Codes.Concealment.Canonical(value) == value,
            _ => false,
        };
}
