namespace VrsMsrc.Hub.Trends.Detection;

internal enum EarsVariant
{
    /// <summary>Baseline: the 7 months just before.</summary>
    C1,

    /// <summary>Baseline: 7 months with a guard band of 2 between them and the month judged.</summary>
    C2,

    /// <summary>C2, plus the excesses of the C2 statistic over 1 in the two months before.</summary>
    C3,
}

/// <summary>
/// The CDC's Early Aberration Reporting System detectors C1–C3 for series too short for Farrington, as R's
/// surveillance::earsC (the bound is mean + z₁₋α·sd of a short moving baseline). Defaults: baseline 7, α = 0.001.
/// </summary>
internal sealed class EarsC : ITrendDetector
{
    /// <summary>earsC refuses baselines shorter than this; it is also the least data a baseline may keep after
    /// missing months are dropped from it.</summary>
    private const int MinimumBaseline = 3;

    private const int GuardBand = 2;

    private readonly int _baseline;
    private readonly double _z;

    public EarsC(EarsVariant variant, int baseline = 7, double alpha = 0.001)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(baseline, MinimumBaseline);
        if (!(alpha is > 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must lie strictly between 0 and 1");
        }

        Variant = variant;
        _baseline = baseline;
        _z = Distributions.NormalQuantile(1 - alpha);
    }

    public EarsVariant Variant { get; }

    public MonthVerdict Evaluate(IReadOnlyList<double?> observed, int month)
    {
        ArgumentNullException.ThrowIfNull(observed);
        ArgumentOutOfRangeException.ThrowIfNegative(month);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(month, observed.Count);
        if (observed[month] is not { } count)
        {
            return MonthVerdict.None;
        }

        // earsC insists on the whole baseline (and, for C3, that of the two months before) lying in the series.
        var earliest = Variant switch
        {
            EarsVariant.C1 => month - _baseline,
            EarsVariant.C2 => month - _baseline - GuardBand,
            _ => month - _baseline - GuardBand - 2,
        };
        if (earliest < 0)
        {
            return MonthVerdict.None;
        }

        var lag = Variant == EarsVariant.C1 ? 1 : 1 + GuardBand;
        if (Stats(observed, month, lag) is not { } stats)
        {
            return MonthVerdict.None;
        }

        var (mean, sd) = stats;

        if (Variant != EarsVariant.C3)
        {
            var bound = mean + _z * sd;
            return new MonthVerdict(bound, count > bound);
        }

        // C3 lowers the bound by the recent excesses. A month with no C2 statistic (missing, or too little
        // baseline) adds nothing, like a missing month in a baseline; a C2 statistic that is 0/0 because the
        // baseline is flat propagates as NaN, as in R, and leaves the month without a bound.
        var excess = 0.0;
        for (var back = 2; back >= 1; back--)
        {
            var earlier = month - back;
            if (observed[earlier] is { } value && Stats(observed, earlier, lag) is { } before)
            {
                excess += Math.Max(0, (value - before.Mean) / before.Sd - 1);
            }
        }

        var upper = Math.Max(0, count + sd * (_z - excess));
        return double.IsNaN(upper) ? MonthVerdict.None : new MonthVerdict(upper, count > upper);
    }

    /// <summary>Mean and sample sd of the baseline ending <paramref name="lag"/> months before; missing months skipped.</summary>
    private (double Mean, double Sd)? Stats(IReadOnlyList<double?> observed, int month, int lag)
    {
        var values = new double[_baseline];
        var n = 0;
        for (var t = month - lag - _baseline + 1; t <= month - lag; t++)
        {
            if (observed[t] is { } value)
            {
                values[n++] = value;
            }
        }

        if (n < MinimumBaseline)
        {
            return null;
        }

        var sum = 0.0;
        for (var i = 0; i < n; i++)
        {
            sum += values[i];
        }

        // Second pass corrects the mean's rounding, as R's mean() does.
        var mean = sum / n;
        var correction = 0.0;
        for (var i = 0; i < n; i++)
        {
            correction += values[i] - mean;
        }

        mean += correction / n;
        var squares = 0.0;
        for (var i = 0; i < n; i++)
        {
            squares += (values[i] - mean) * (values[i] - mean);
        }

        return (mean, Math.Sqrt(squares / (n - 1)));
    }
}
