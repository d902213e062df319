using VrsMsrc.Contracts.Catalogue;

namespace VrsMsrc.Hub.Trends.Fees;

/// <summary>Reports counted in one fee band: amounts from <see cref="Low"/> (inclusive) to <see cref="High"/> (exclusive).</summary>
internal readonly record struct BandCount(double Low, double High, long Reports)
{
    public string Label => FeeBands.Label(Low);
}

/// <summary>
/// Quantiles of fees estimated from banded counts, as for any grouped frequency table: find the band in
/// which the cumulative count reaches q·N, then interpolate linearly inside it, i.e. assume the reports of
/// a band spread evenly between its bounds. No band is open-ended: the 1-2-5 scheme labels every band
/// with both bounds (<see cref="FeeBands"/>), so the highest occupied band is interpolated like the
/// others. The error of an estimate is at most the width of its band (a factor of 2 to 2.5 in the
/// amount), which is why the band travels with every estimate.
/// </summary>
internal static class FeeQuantiles
{
    /// <summary>Null when there is no report; bands may come in any order and may leave gaps.</summary>
    public static (double Amount, BandCount Band)? Estimate(IReadOnlyCollection<BandCount> bands, double quantile)
    {
        ArgumentNullException.ThrowIfNull(bands);
        if (!(quantile is > 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(quantile), quantile, "a quantile lies strictly between 0 and 1");
        }

        var occupied = bands.Where(b => b.Reports > 0).OrderBy(b => b.Low).ToList();
        var total = occupied.Sum(b => b.Reports);
        if (total == 0)
        {
            return null;
        }

        var target = quantile * total;
        var before = 0L;
        foreach (var band in occupied)
        {
            if (before + band.Reports >= target)
            {
                var amount = band.Low + ((target - before) / band.Reports * (band.High - band.Low));
                return (amount, band);
            }

            before += band.Reports;
        }

        // Rounding cannot leave the target above the total, but the last band is the answer if it did.
        var last = occupied[^1];
        return (last.High, last);
    }
}
