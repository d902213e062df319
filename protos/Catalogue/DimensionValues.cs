namespace VrsMsrc.Contracts.Catalogue;

public static class DimensionValues
{
    /// <summary>The dimension value of records that left the attribute empty.</summary>
    public const string Unknown = "unknown";
}
