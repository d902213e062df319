using VrsMsrc.Contracts.Catalogue;
using VrsMsrc.Contracts.V1;

namespace VrsMsrc.Hub.Trends;

/// <summary>
/// DESIGN §3.3: the hub answers each question from the catalogue table with the fewest dimensions that
/// covers it, because coarse tables lose less to the threshold than fine ones.
/// </summary>
internal static class TableChoice
{
    /// <summary>
    /// The table for a series that names none; null when it names one (the series then checks that name).
    /// </summary>
    public static CatalogueTable? For(SeriesRequest request)
    {
        if (request.Table is not "")
        {
            return null;
        }

        var dimensions = request.By is "" or "state" ? [] : request.By.Split(',').ToList();
        dimensions.AddRange(request.Where.Select(w => w.IndexOf('=', StringComparison.Ordinal) is > 0 and var eq ? w[..eq] : w));
        return Covering(request.Measure, dimensions)
            ?? throw new QueryException(
                $"no catalogue table has the measure '{request.Measure}' with the dimensions {(dimensions.Count == 0 ? "(none)" : string.Join(", ", dimensions.Distinct()))}; name one with --table");
    }

    /// <summary>The coarsest table holding <paramref name="measure"/> and every one of <paramref name="dimensions"/>; ties go to catalogue order.</summary>
    public static CatalogueTable? Covering(string measure, IReadOnlyCollection<string> dimensions) =>
        ReleaseCatalogue.All
            .Where(t => t.Measures.Contains(measure) && dimensions.All(t.Dimensions.Contains))
            .MinBy(t => t.Dimensions.Count);
}
