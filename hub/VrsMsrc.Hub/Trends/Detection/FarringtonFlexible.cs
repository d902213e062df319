namespace VrsMsrc.Hub.Trends.Detection;

/// <summary>
/// Parameters of Farrington Flexible, named after R's surveillance::farringtonFlexible control list.
/// The defaults are the improved settings of Noufaily et al. (2013) adapted to monthly data (DESIGN §5).
/// </summary>
internal sealed record FarringtonSettings
{
    public static FarringtonSettings NoufailyMonthly { get; } = new();

    /// <summary>Periods per year (freq): 12 for monthly series.</summary>
    public int Frequency { get; init; } = 12;

    /// <summary>Years of history in the baseline (b).</summary>
    public int Years { get; init; } = 4;

    /// <summary>Half-width of the window around each reference period (w).</summary>
    public int HalfWindow { get; init; } = 1;

    /// <summary>Number of levels of the seasonal factor (noPeriods); 1 means no seasonal factor.</summary>
    public int Periods { get; init; } = 10;

    /// <summary>The current period and this many before it stay out of the baseline (pastWeeksNotIncluded).</summary>
    public int RecentPeriodsExcluded { get; init; } = 3;

    public double Alpha { get; init; } = 0.01;

    /// <summary>Anscombe residuals above this are down-weighted when the model is refitted.</summary>
    public double WeightsThreshold { get; init; } = 2.58;

    /// <summary>The time trend stays in the model only if its p-value is below this (pThresholdTrend).</summary>
    public double TrendPValueThreshold { get; init; } = 1;

    /// <summary>No bound unless the last <see cref="MinimumCasesPeriods"/> periods hold this many cases (limit54).</summary>
    public double MinimumCases { get; init; } = 5;

    public int MinimumCasesPeriods { get; init; } = 4;
}

/// <summary>
/// Farrington Flexible (Noufaily et al. 2013), as R's surveillance::farringtonFlexible with
/// thresholdMethod = "nbPlugin" and no population offset. For each month: take the same season of the past
/// years plus the rest of each year cut into seasonal blocks, fit a quasi-Poisson model with a seasonal factor
/// and a time trend, refit with outlying months down-weighted, and take the (1 - α) quantile of the negative
/// binomial with the predicted mean and the fitted over-dispersion as the upper bound.
/// </summary>
internal sealed class FarringtonFlexible : ITrendDetector
{
    private readonly FarringtonSettings _settings;

    public FarringtonFlexible(FarringtonSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var gap = settings.Frequency - 2 * settings.HalfWindow - 1;
        if (settings.Frequency < 1 || settings.Years < 1 || settings.HalfWindow < 0 || settings.Periods < 1
            || settings.RecentPeriodsExcluded < 0 || settings.MinimumCasesPeriods < 1 || gap < 0
            || (settings.Periods > 1 && gap < settings.Periods - 1))
        {
            // R accepts a few more combinations, but then builds blocks of negative length that overlap.
            throw new ArgumentException("the seasonal blocks do not fit between the reference windows", nameof(settings));
        }

        _settings = settings;
    }

    public MonthVerdict Evaluate(IReadOnlyList<double?> observed, int month)
    {
        ArgumentNullException.ThrowIfNull(observed);
        ArgumentOutOfRangeException.ThrowIfNegative(month);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(month, observed.Count);
        var s = _settings;
        if (observed[month] is not { } count || month - s.Years * s.Frequency < 0)
        {
            return MonthVerdict.None;
        }

        var baseline = Baseline(observed, month);
        var model = Fit(baseline, trend: true);
        if (model is null)
        {
            return MonthVerdict.None;
        }

        if (model.HasTrend)
        {
            var eta = model.LinearPredictor(month);
            var expected = Math.Max(Math.Exp(eta), Distributions.MachineEpsilon);
            var pValue = Distributions.StudentTwoSidedPValue(
                model.Fit.Coefficients[1] / model.Fit.StandardError(1), model.Fit.ResidualDf);
            var significant = pValue < s.TrendPValueThreshold;

            // A trend that would carry the prediction above anything seen in the baseline is not trusted.
            var noExtrapolation = expected <= baseline.Max(b => b.Count);
            if (!(s.Years >= 3 && significant && noExtrapolation))
            {
                model = Fit(baseline, trend: false);
                if (model is null)
                {
                    return MonthVerdict.None;
                }
            }
        }

        var eta0 = model.LinearPredictor(month);
        if (double.IsNaN(eta0))
        {
            return MonthVerdict.None;
        }

        var recent = 0.0;
        for (var t = Math.Max(0, month - s.MinimumCasesPeriods + 1); t <= month; t++)
        {
            recent += observed[t] ?? 0;
        }

        var mean = Math.Exp(eta0);
        if (recent < s.MinimumCases || double.IsPositiveInfinity(mean))
        {
            // Too few recent cases to judge (limit54), or no finite bound: R reports NA and no alarm.
            return new MonthVerdict(null, false);
        }

        var upper = Distributions.NegativeBinomialQuantile(1 - s.Alpha, mean, model.Phi);

        // R's score for nbPlugin measures distances from the prediction on the log scale against counts; it is
        // odd, but the alarm is defined by it, so it is kept (it is > 1 exactly when count > upper whenever the
        // bound exceeds η₀, which is almost always).
        var score = (count - eta0) / (upper - eta0);
        return new MonthVerdict(upper, score > 1 && count != 0);
    }

    private readonly record struct BaselineMonth(int Time, int Level, double Count);

    /// <summary>
    /// The baseline: a window of ±w periods around the same period of each of the past b years (seasonal level
    /// <c>Periods</c>) and the periods between those windows cut into <c>Periods - 1</c> blocks, each its own
    /// level, minus the most recent periods. Missing months are left out.
    /// </summary>
    private List<BaselineMonth> Baseline(IReadOnlyList<double?> observed, int month)
    {
        var s = _settings;
        var first = month - s.Years * s.Frequency - s.HalfWindow;
        var levels = new int?[month - first + 1];
        void Mark(int from, int to, int level)
        {
            for (var t = from; t <= to; t++)
            {
                levels[t - first] = level;
            }
        }

        Mark(month - s.HalfWindow, month, s.Periods);
        var gap = s.Frequency - 2 * s.HalfWindow - 1;
        for (var year = 1; year <= s.Years; year++)
        {
            var reference = month - year * s.Frequency;
            Mark(reference - s.HalfWindow, reference + s.HalfWindow, s.Periods);
            if (s.Periods == 1)
            {
                continue;
            }

            // The gap up to the next window is shared out as evenly as possible, the first blocks one longer.
            var start = reference + s.HalfWindow + 1;
            for (var block = 1; block < s.Periods; block++)
            {
                var length = gap / (s.Periods - 1) + (block <= gap % (s.Periods - 1) ? 1 : 0);
                Mark(start, start + length - 1, block);
                start += length;
            }
        }

        var baseline = new List<BaselineMonth>();
        for (var t = Math.Max(0, first); t < month - s.RecentPeriodsExcluded; t++)
        {
            if (levels[t - first] is { } level && observed[t] is { } value)
            {
                baseline.Add(new BaselineMonth(t, level, value));
            }
        }

        return baseline;
    }

    /// <summary>
    /// The two-pass fit of farringtonFlexible: a quasi-Poisson GLM, then the same model refitted with weights
    /// that shrink months whose Anscombe residual exceeds the threshold. A trend model that does not converge
    /// falls back to the model without trend; null when that does not converge either.
    /// </summary>
    private Model? Fit(List<BaselineMonth> baseline, bool trend)
    {
        if (baseline.Count == 0)
        {
            return null;
        }

        var levels = _settings.Periods == 1
            ? []
            : baseline.Select(b => b.Level).Distinct().Order().ToArray();
        if (_settings.Periods > 1 && !levels.Contains(_settings.Periods))
        {
            // The month to predict belongs to the seasonal level of the windows; without data there is no prediction.
            return null;
        }

        var y = baseline.Select(b => b.Count).ToArray();
        var ones = Enumerable.Repeat(1.0, y.Length).ToArray();
        var shape = new Design(levels, trend);
        var design = baseline.Select(b => shape.Row(b.Time, b.Level)).ToArray();
        var fit = QuasiPoissonGlm.Fit(design, y, ones);
        if (fit is not { Converged: true } && trend)
        {
            shape = new Design(levels, trend: false);
            design = baseline.Select(b => shape.Row(b.Time, b.Level)).ToArray();
            fit = QuasiPoissonGlm.Fit(design, y, ones);
        }

        if (fit is not { Converged: true } || fit.ResidualDf <= 0)
        {
            return null;
        }

        var phi = Math.Max(fit.Dispersion, 1);
        var residuals = new double[y.Length];
        for (var i = 0; i < y.Length; i++)
        {
            var mu = fit.Fitted[i];
            residuals[i] = 1.5 * (Math.Pow(y[i], 2.0 / 3) * Math.Pow(mu, -1.0 / 6) - Math.Sqrt(mu))
                           / Math.Sqrt(phi * (1 - fit.Hat[i]));
        }

        // Outliers get weight ∝ 1/s², the rest a common weight; the weights are scaled to average one.
        var threshold = _settings.WeightsThreshold;
        var scale = y.Length / residuals.Sum(r => r > threshold ? 1 / (r * r) : 1);
        var weights = residuals.Select(r => r > threshold ? scale / (r * r) : scale).ToArray();

        // As in R, only the first fit has to converge; the reweighted one is taken as it stands.
        var refit = QuasiPoissonGlm.Fit(design, y, weights);
        if (refit is null)
        {
            return null;
        }

        var refitPhi = Math.Max(refit.Dispersion, 1);
        return double.IsNaN(refitPhi) ? null : new Model(shape, refit, refitPhi);
    }

    /// <summary>
    /// Design of the log-linear model: intercept, optional trend on the period index (1-based, as R's), and
    /// treatment contrasts against the lowest seasonal level present.
    /// </summary>
    private sealed class Design(int[] levels, bool trend)
    {
        public bool HasTrend { get; } = trend;

        public double[] Row(int time, int level)
        {
            var offset = HasTrend ? 2 : 1;
            var row = new double[offset + Math.Max(0, levels.Length - 1)];
            row[0] = 1;
            if (HasTrend)
            {
                row[1] = time + 1;
            }

            var index = Array.IndexOf(levels, level);
            if (index > 0)
            {
                row[offset + index - 1] = 1;
            }

            return row;
        }

        /// <summary>The month to predict always lies in the seasonal level of the windows, the highest one.</summary>
        public double[] PredictionRow(int month) => Row(month, levels.Length == 0 ? 0 : levels[^1]);
    }

    private sealed record Model(Design Design, QuasiPoissonFit Fit, double Phi)
    {
        public bool HasTrend => Design.HasTrend;

        public double LinearPredictor(int month) => Fit.LinearPredictor(Design.PredictionRow(month));
    }
}
