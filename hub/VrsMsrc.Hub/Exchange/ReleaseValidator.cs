using VrsMsrc.Contracts;
using VrsMsrc.Contracts.Catalogue;
using VrsMsrc.Contracts.Text;
using VrsMsrc.Contracts.V1;

namespace VrsMsrc.Hub.Exchange;

/// <summary>
/// Checks a decoded release against the catalogue and code lists before anything is stored: a hub
/// holds only well-formed cells of known tables, codes and past months.
/// </summary>
internal static class ReleaseValidator
{
    /// <summary>Null when the release may be applied, else the reason to give the node.</summary>
    public static string? Problem(Release release, IReadOnlySet<string> corridors, DateTimeOffset now)
    {
        if (release.SchemaVersion != Protocol.SchemaVersion)
        {
            return $"release schema version {release.SchemaVersion} is not supported (hub speaks {Protocol.SchemaVersion})";
        }

        var currentMonth = Months.Of(now);
        var seen = new HashSet<string>();
        foreach (var month in release.Months)
        {
            if (!Months.TryParse(month.Month, out _))
            {
                return $"month '{month.Month}' is not YYYY-MM";
            }

            if (string.CompareOrdinal(month.Month, currentMonth) > 0)
            {
                return $"month {month.Month} is in the future";
            }

            if (!seen.Add(month.Month))
            {
                return $"month {month.Month} appears twice";
            }

            if (month.Version < 1)
            {
                return $"month {month.Month} has version {month.Version}; versions start at 1";
            }

            foreach (var table in month.Tables)
            {
                if (TableProblem(table, corridors) is { } problem)
                {
                    return $"{month.Month} {table.Table}: {problem}";
                }
            }
        }

        return null;
    }

    private static string? TableProblem(TableCells table, IReadOnlySet<string> corridors)
    {
        var definition = ReleaseCatalogue.Find(table.Table);
        if (definition is null)
        {
            return "not a table of the release catalogue";
        }

        foreach (var cell in table.Cells)
        {
            if (cell.Dims.Count != definition.Dimensions.Count)
            {
                return $"a cell has {cell.Dims.Count} dimensions, the table has {definition.Dimensions.Count}";
            }

            if (!definition.Measures.Contains(cell.Measure))
            {
                return $"unknown measure '{cell.Measure}'";
            }

            if (cell.Value < 0)
            {
                return "negative value";
            }

            for (var i = 0; i < cell.Dims.Count; i++)
            {
                if (!DimensionCodes.IsKnown(definition.Dimensions[i], cell.Dims[i], corridors))
                {
                    return $"unknown {definition.Dimensions[i]} code '{cell.Dims[i]}'";
                }
            }
        }

        return null;
    }
}
