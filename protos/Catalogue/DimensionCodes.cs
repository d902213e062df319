using VrsMsrc.Contracts.CodeLists;

namespace VrsMsrc.Contracts.Catalogue;

/// <summary>Which codes each catalogue dimension may hold: checked by the hub on every cell it receives.</summary>
public static class DimensionCodes
{
    public static bool IsKnown(string dimension, string value, IReadOnlySet<string> corridors) =>
        value == DimensionValues.Unknown || dimension switch
        {
            "corridor" => corridors.Contains(value),
            "nationality" => Codes.Nationalities.Contains(value),
            "from_country" or "to_country" or "origin" or "destination" => Codes.IsCountry(value),
            "border_type" => Codes.BorderTypes.Contains(value),
            "context" => Codes.Contexts.Contains(value),
            "transport_mode" => Codes.TransportModes.Contains(value),
            "sex" => Codes.Sexes.Contains(value),
            "age_band" => Codes.AgeBands.Contains(value),
            "role" => Codes.Roles.Contains(value),
            "cj_stage" => Codes.CriminalJusticeStages.Contains(value),
            "currency" => Codes.Currencies.Contains(value),
            "fee_band" => FeeBands.TryParse(value, out _, out _),
            "doc_fraud" => Codes.DocumentFraud.Contains(value),
            "doc_type" => Codes.DocumentTypes.Contains(value),
            "concealment" => Codes.Concealment.Contains(value),
            _ => false,
        };
}
