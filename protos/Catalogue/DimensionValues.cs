namespace VrsMsrc.Contracts.Catalogue;

public static class DimensionValues
{
    /// <summary>The dimension value of records that left the attribute empty ("unknown", not a guess).</summary>
    public const string Unknown = "unknown";
}
