using VrsMsrc.Contracts.Catalogue;
using VrsMsrc.Contracts.V1;

namespace VrsMsrc.Hub.Trends.Fees;

/// <summary>
/// Fee quantiles per origin, destination and currency from the fees table. Fees stay in the currency
/// paid (DESIGN §3.3): nothing is converted or mixed across currencies. A band below the threshold in a
/// state's month is not published, so rare bands go uncounted and the estimates lean towards the common
/// ones; the completeness fields say how many months a route's fees were not published at all.
/// </summary>
internal sealed class FeesQuery(RangeReader reader)
{
    public static IReadOnlyList<double> DefaultQuantiles { get; } = [0.25, 0.5, 0.75];

    private const int MaxQuantiles = 20;

    public FeesResponse Answer(FeesRequest request, QueryScope scope)
    {
        ArgumentNullException.ThrowIfNull(request);
        var range = RangeArguments.Parse(request.From, request.To, request.States, scope);
        var quantiles = request.Quantiles.Count == 0 ? DefaultQuantiles : request.Quantiles.ToList();
        if (quantiles.Count > MaxQuantiles || quantiles.Any(q => !(q is > 0 and < 1)))
        {
            throw new QueryException($"quantiles must lie strictly between 0 and 1, at most {MaxQuantiles} of them");
        }

        var table = ReleaseCatalogue.Fees;
        (string Dimension, string Value)[] asked = [("origin", request.Origin), ("destination", request.Destination), ("currency", request.Currency)];
        var filters = SeriesEngine.FilterArguments(table, asked.Where(a => a.Value is not "").Select(a => $"{a.Dimension}={a.Value}"));
        var cells = reader.Read(table, "fee_reports", range.From, range.To, range.States, filters);

        var byBand = cells.Sum([0, 1, 2, 3]).ToLookup(r => (r.Dims[0], r.Dims[1], r.Dims[2]));
        var response = new FeesResponse { Coverage = cells.Coverage() };
        foreach (var route in cells.Sum([0, 1, 2]))
        {
            var bands = byBand[(route.Dims[0], route.Dims[1], route.Dims[2])]
                .Select(r => FeeBands.TryParse(r.Dims[3], out var low, out var high) ? new BandCount(low, high, r.Value) : (BandCount?)null)
                .OfType<BandCount>()
                .OrderBy(b => b.Low)
                .ToList();
            var estimate = new FeeEstimate
            {
                Origin = route.Dims[0], Destination = route.Dims[1], Currency = route.Dims[2], Reports = route.Value,
                States = route.States, PublishedMonths = route.PublishedMonths, UnpublishedMonths = route.UnpublishedMonths, Flag = route.Flag,
            };
            estimate.Bands.AddRange(bands.Select(b => new FeeBandCount { Band = b.Label, Reports = b.Reports }));
            foreach (var q in quantiles)
            {
                if (FeeQuantiles.Estimate(bands, q) is { } found)
                {
                    estimate.Quantiles.Add(new FeeQuantile { Quantile = q, Amount = Math.Round(found.Amount, 2), Band = found.Band.Label });
                }
            }

            response.Estimates.Add(estimate);
        }

        return response;
    }
}
