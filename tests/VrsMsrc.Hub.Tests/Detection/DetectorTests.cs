using VrsMsrc.Hub.Trends.Detection;

namespace VrsMsrc.Hub.Tests.Detection;

/// <summary>What the detectors do where R's reference says nothing: missing months, short series, the future.</summary>
[Trait("Category", "Unit")]
public sealed class DetectorTests
{
    private static readonly double Z = Distributions.NormalQuantile(0.999);

    private static double?[] Seasonal(int months) =>
        [.. Enumerable.Range(0, months).Select(t => (double?)Math.Round(50 + 20 * Math.Sin(t * Math.PI / 6) + t % 7))];

    [Fact]
    public void Ears_c1_leaves_a_missing_month_out_of_the_baseline()
    {
        double?[] y = [10, 12, null, 9, 14, 11, 13, 40];
        var verdict = new EarsC(EarsVariant.C1).Evaluate(y, 7);
        double[] kept = [10, 12, 9, 14, 11, 13];
        var mean = kept.Average();
        var sd = Math.Sqrt(kept.Sum(v => (v - mean) * (v - mean)) / (kept.Length - 1));
        Assert.Equal(mean + Z * sd, verdict.UpperBound!.Value, 1e-12);
        Assert.True(verdict.Alarm);
    }

    [Fact]
    public void Ears_needs_three_months_of_baseline()
    {
        double?[] y = [10, null, null, null, null, null, 13, 40];
        Assert.Equal(MonthVerdict.None, new EarsC(EarsVariant.C1).Evaluate(y, 7));
    }

    [Theory]
    [InlineData("ears-c1", 7)]
    [InlineData("ears-c2", 9)]
    [InlineData("ears-c3", 11)]
    public void Ears_gives_no_verdict_before_its_baseline_is_complete(string method, int firstMonth)
    {
        var y = Seasonal(20);
        var ears = TrendDetectors.Create(method);
        Assert.Equal(MonthVerdict.None, ears.Evaluate(y, firstMonth - 1));
        Assert.NotNull(ears.Evaluate(y, firstMonth).UpperBound);
    }

    [Fact]
    public void Ears_c3_lets_a_missing_recent_month_add_no_excess()
    {
        // Ordinary months (C2 statistic below 1) add no excess either.
        double?[] y = [.. Enumerable.Range(0, 20).Select(t => (double?)(10 + t % 3))];
        y[13] = y[14] = 11;
        var ears = new EarsC(EarsVariant.C3);
        var before = ears.Evaluate(y, 15);
        y[14] = 500; // a big excess one month back lowers the bound ...
        Assert.True(ears.Evaluate(y, 15).UpperBound < before.UpperBound);
        y[14] = null; // ... a missing month does not
        Assert.Equal(before.UpperBound!.Value, ears.Evaluate(y, 15).UpperBound!.Value, 1e-9);
    }

    [Fact]
    public void A_missing_month_gets_no_verdict()
    {
        var y = Seasonal(80);
        y[70] = null;
        foreach (var name in TrendDetectors.Names)
        {
            Assert.Equal(MonthVerdict.None, TrendDetectors.Create(name).Evaluate(y, 70));
        }
    }

    [Fact]
    public void Farrington_needs_the_full_number_of_years()
    {
        var y = Seasonal(80);
        var farrington = TrendDetectors.Create("farrington");
        Assert.Equal(MonthVerdict.None, farrington.Evaluate(y, 47));
        Assert.NotNull(farrington.Evaluate(y, 48).UpperBound);
    }

    [Fact]
    public void Farrington_needs_enough_recent_cases()
    {
        // limit54: fewer than 5 cases in the last 4 months gives no bound and no alarm, as in R.
        var y = Seasonal(80);
        for (var t = 66; t <= 69; t++)
        {
            y[t] = 1;
        }

        Assert.Equal(new MonthVerdict(null, false), TrendDetectors.Create("farrington").Evaluate(y, 69));
    }

    [Fact]
    public void Farrington_flags_a_surge_and_not_the_ordinary_months()
    {
        var y = Seasonal(80);
        var farrington = TrendDetectors.Create("farrington");
        Assert.False(farrington.Evaluate(y, 75).Alarm);
        y[75] = 400;
        var surge = farrington.Evaluate(y, 75);
        Assert.True(surge.Alarm);
        Assert.True(surge.UpperBound < 400);
    }

    [Fact]
    public void Detectors_never_look_ahead()
    {
        var y = Seasonal(90);
        var changed = (double?[])y.Clone();
        for (var t = 71; t < changed.Length; t++)
        {
            changed[t] = t % 2 == 0 ? null : 1000;
        }

        foreach (var name in TrendDetectors.Names)
        {
            var detector = TrendDetectors.Create(name);
            Assert.Equal(detector.Evaluate(y, 70), detector.Evaluate(changed, 70));
        }
    }

    [Fact]
    public void Settings_whose_blocks_do_not_fit_are_refused() =>
        Assert.Throws<ArgumentException>(() => new FarringtonFlexible(FarringtonSettings.NoufailyMonthly with { Periods = 11 }));
}
