using VrsMsrc.Contracts.Catalogue;

namespace VrsMsrc.Hub.Trends;

/// <summary>
/// The argument checks of the series, shared with every other trend question (flows, fees, profiles,
/// alerts), so that a month, a state or a filter is accepted or refused the same way whichever question
/// carries it.
/// </summary>
internal sealed partial class SeriesEngine
{
    /// <summary>Joins the values of several --by dimensions into one group; no code contains it.</summary>
    public const string GroupSeparator = ";";

    internal static string? MonthArgument(string value, string name) => MonthOrNull(value, name);

    internal static List<string> StateArguments(IEnumerable<string> states) => States(states);

    internal static List<(int Dimension, string Value)> FilterArguments(CatalogueTable table, IEnumerable<string> where) => Filters(table, where);

    /// <summary>
    /// Positions of the --by dimensions in the table: none for "" and "state"; otherwise one or more of
    /// the table's dimensions joined by ','. "state" stays alone, so that a breakdown by state is always
    /// asked for as such.
    /// </summary>
    private static int[] ByDimensions(CatalogueTable table, string by)
    {
        if (by is "" or "state")
        {
            return [];
        }

        var names = by.Split(',');
        var positions = names.Select(table.DimensionIndex).ToArray();
        if (positions.Any(p => p < 0) || names.Distinct(StringComparer.Ordinal).Count() != names.Length)
        {
            throw new QueryException($"cannot group {table.Name} by '{by}'; use state{string.Concat(table.Dimensions.Select(d => ", " + d))}, or dimensions joined by ','");
        }

        return positions;
    }
}
