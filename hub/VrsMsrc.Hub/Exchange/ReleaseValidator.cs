using VrsMsrc.Contracts;
using VrsMsrc.Contracts.Catalogue;
using VrsMsrc.Contracts.Text;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Storage;

namespace VrsMsrc.Hub.Exchange;

/// <summary>
/// Checks a decoded release against the catalogue and code lists before anything is stored: a hub
/// holds only well-formed cells of known tables, codes and past months.
/// </summary>
internal static class ReleaseValidator
{
    /// <summary>
    /// How far a node's clock may run ahead of the hub's: a node releasing just after midnight on the
    /// first of a month must not see that month refused, and dead-lettered, as "in the future".
    /// </summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromDays(1);

    /// <summary>Null when the release may be applied, else the reason to give the node.</summary>
    public static string? Problem(Release release, IReadOnlySet<string> corridors, DateTimeOffset now)
    {
        if (release.SchemaVersion != Protocol.SchemaVersion)
        {
            return $"release schema version {release.SchemaVersion} is not supported (hub speaks {Protocol.SchemaVersion})";
        }

        var currentMonth = Months.Of(now + ClockSkew);
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
        }

        // On the push's own thread: checking months in parallel made fifty concurrent pushes slower (hub-ingest benchmark).
        return release.Months.Select(month => TablesProblem(month, corridors)).FirstOrDefault(problem => problem is not null);
    }

    private static string? TablesProblem(MonthRelease month, IReadOnlySet<string> corridors)
    {
        var tables = new HashSet<string>();
        foreach (var table in month.Tables)
        {
            if (!tables.Add(table.Table))
            {
                // The hub replaces a table's cells per release; a second copy would be silently ignored.
                return $"{month.Month} {table.Table}: the table appears twice";
            }

            if (TableProblem(table, corridors) is { } problem)
            {
                return $"{month.Month} {table.Table}: {problem}";
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

        // Codes repeat across a table's cells: each distinct value is checked against its code list once.
        var known = definition.Dimensions.Select(_ => new HashSet<string>(StringComparer.Ordinal)).ToArray();
        var keys = new CellKeySet(table.Cells.Count);
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
                var value = cell.Dims[i];
                if (!known[i].Contains(value))
                {
                    if (!DimensionCodes.IsKnown(definition.Dimensions[i], value, corridors))
                    {
                        return $"unknown {definition.Dimensions[i]} code '{value}'";
                    }

                    known[i].Add(value);
                }
            }

            if (!keys.Add(cell))
            {
                return $"the cell {cell.Measure} ({string.Join(", ", cell.Dims)}) appears twice";
            }
        }

        return null;
    }
}
