using VrsMsrc.Contracts.Catalogue;
using VrsMsrc.Contracts.V1;

namespace VrsMsrc.Hub.Trends.Profiles;

/// <summary>
/// Profiles of smuggled migrants (migrant_profile) and of smugglers (smuggler_profile, smuggler_stages):
/// a measure summed over a range of months by the dimensions asked for, from the coarsest of the
/// subject's tables that has them all, with each row's share of the total.
/// </summary>
internal sealed class ProfilesQuery(RangeReader reader)
{
    private static readonly Dictionary<string, (CatalogueTable[] Tables, string Measure, string[] By)> Subjects = new(StringComparer.Ordinal)
    {
        ["migrants"] = ([ReleaseCatalogue.MigrantProfile], "migrants", ["sex", "age_band"]),
        ["smugglers"] = ([ReleaseCatalogue.SmugglerProfile, ReleaseCatalogue.SmugglerStages], "facilitators", ["role"]),
    };

    public ProfilesResponse Answer(ProfilesRequest request, QueryScope scope)
    {
        ArgumentNullException.ThrowIfNull(request);
        var subject = request.Subject is "" ? "migrants" : request.Subject;
        if (!Subjects.TryGetValue(subject, out var known))
        {
            throw new QueryException($"subject must be {string.Join(" or ", Subjects.Keys)}, not '{subject}'");
        }

        var range = RangeArguments.Parse(request.From, request.To, request.States, scope);
        RangeArguments.CheckCount(request.By, "by");
        RangeArguments.CheckCount(request.Where, "where");
        var measure = request.Measure is "" ? known.Measure : request.Measure;
        var by = request.By.Count == 0 ? known.By : request.By.ToArray();
        var filtered = request.Where.Select(w => w.IndexOf('=', StringComparison.Ordinal) is > 0 and var eq ? w[..eq] : w);
        var needed = by.Concat(filtered).ToHashSet(StringComparer.Ordinal);
        var table = known.Tables
            .Where(t => t.Measures.Contains(measure) && needed.All(t.Dimensions.Contains))
            .MinBy(t => t.Dimensions.Count)
            ?? throw new QueryException(
                $"no {subject} profile has the measure '{measure}' with the dimensions {string.Join(", ", needed)}; " +
                string.Join("; ", known.Tables.Select(t => $"{t.Name}: {string.Join(", ", t.Measures)} by {string.Join(", ", t.Dimensions)}")));
        if (by.Distinct(StringComparer.Ordinal).Count() != by.Length)
        {
            throw new QueryException($"a dimension appears twice in '{string.Join(",", by)}'");
        }

        var cells = reader.Read(table, measure, range.From, range.To, range.States, SeriesEngine.FilterArguments(table, request.Where));
        var rows = cells.Sum(by.Select(table.DimensionIndex).ToArray());
        var total = rows.Sum(r => r.Value);
        var response = new ProfilesResponse { Measure = measure, Coverage = cells.Coverage() };
        foreach (var r in rows)
        {
            var row = new ProfileRow
            {
                Value = r.Value, Share = total == 0 ? 0 : Math.Round((double)r.Value / total, 4),
                States = r.States, PublishedMonths = r.PublishedMonths, UnpublishedMonths = r.UnpublishedMonths, Flag = r.Flag,
            };
            for (var i = 0; i < by.Length; i++)
            {
                row.Dims.Add(by[i], r.Dims[i]);
            }

            response.Rows.Add(row);
        }

        return response;
    }
}
