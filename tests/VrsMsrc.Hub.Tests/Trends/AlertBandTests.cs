using VrsMsrc.Contracts.Text;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Trends;
using VrsMsrc.Hub.Trends.Alerts;
using VrsMsrc.Hub.Trends.Detection;

namespace VrsMsrc.Hub.Tests.Trends;

/// <summary>
/// The band of an alert's series (Trends AlertBand): the detector's upper bound for every month, as the
/// detection pass would give it, asked through the engine in the caller's scope.
/// </summary>
[Trait("Category", "Unit")]
public abstract class AlertBandTests(StoreProvider provider) : IDisposable
{
    private readonly TempHubStore _store = new(provider);

    public void Dispose()
    {
        _store.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Seven years of a seasonal count from 2018-01, a jump in 2024-10, and one month below the threshold (no cell).</summary>
    private static readonly double?[] Observed = [.. Enumerable.Range(0, 84).Select(t => t switch
    {
        81 => 1500,
        30 => (double?)null,
        _ => Math.Round(200 * (1 + (0.3 * Math.Sin(t * Math.PI / 6))) + (t * 7 % 5)),
    })];

    private static readonly string[] CentralMediterraneanSea = ["central_mediterranean", "sea"];

    private void Publish()
    {
        var cells = Observed.Select((v, t) => (Month: Months.Format(new DateOnly(2018, 1, 1).AddMonths(t)), Value: v))
            .Where(m => m.Value is not null)
            .Select(m => (m.Month, 1L, "corridors", CentralMediterraneanSea, "migrants", (long)m.Value!.Value));
        _store.Apply(TempHubStore.Release("ITA", [.. cells]));
        // The month without a cell was still released: it reads as suppressed, not as missing.
        _store.Apply(TempHubStore.Release("ITA", [("2020-07", 1L, "totals", Array.Empty<string>(), "incidents", 11L)]));
    }

    private static AlertBandRequest Request(string from = "", string to = "") =>
        new() { State = "ITA", Table = "corridors", Measure = "migrants", Dims = "corridor=central_mediterranean", From = from, To = to };

    [Fact]
    public void Every_month_has_the_bound_the_detector_gives_for_that_series_and_the_alarm_month_the_stored_one()
    {
        Publish();
        var queries = TrendEngine.Queries(_store);

        var band = queries.AlertBand(Request());

        Assert.Equal(84, band.Months.Count);
        Assert.Equal(["ITA"], band.States);
        var farrington = new FarringtonFlexible(FarringtonSettings.NoufailyMonthly);
        var ears = new EarsC(EarsVariant.C2);
        for (var t = 0; t < Observed.Length; t++)
        {
            var month = band.Months[t];
            Assert.Equal(Months.Format(new DateOnly(2018, 1, 1).AddMonths(t)), month.Month);
            if (Observed[t] is null)
            {
                Assert.Equal(("suppressed", false), (month.Flag, month.HasUpperbound));
                continue;
            }

            // Farrington from 4 years of history on (it fits every month of this regular series), EARS C2 before.
            var (verdict, method) = t >= AlertPass.FarringtonHistory ? (farrington.Evaluate(Observed, t), AlertPass.Farrington) : (ears.Evaluate(Observed, t), AlertPass.Ears);
            Assert.Equal(("", (long)Observed[t]!.Value), (month.Flag, month.Observed));
            Assert.Equal(verdict.UpperBound is not null, month.HasUpperbound);
            if (verdict.UpperBound is { } bound)
            {
                Assert.Equal((Math.Round(bound, 3), method, verdict.Alarm is true), (month.Upperbound, month.Method, month.Alarm));
            }
        }

        // Most months have a bound, and the pass's stored alert has the band's bound at its month.
        Assert.True(band.Months.Count(m => m.HasUpperbound) > 70);
        var alert = new AlertPass(new SeriesEngine(_store.Cells)).Run().Alerts.Single(a => a is { State: "ITA", Month: "2024-10" });
        var jump = band.Months.Single(m => m.Month == "2024-10");
        Assert.Equal((alert.UpperBound, alert.Method, true), (jump.Upperbound, jump.Method, jump.Alarm));
    }

    [Fact]
    public void From_and_to_choose_the_months_shown_not_the_history_the_verdicts_read()
    {
        Publish();
        var queries = TrendEngine.Queries(_store);

        var all = queries.AlertBand(Request());
        var last = queries.AlertBand(Request("2023-11", "2024-10"));

        Assert.Equal(all.Months.Where(m => string.CompareOrdinal(m.Month, "2023-11") >= 0 && string.CompareOrdinal(m.Month, "2024-10") <= 0), last.Months);
        Assert.Equal(12, last.Months.Count);
    }

    [Fact]
    public void The_sharing_rule_and_bad_questions_are_refused()
    {
        Publish();
        var queries = TrendEngine.Queries(_store);
        var grc = new QueryScope("analyst-grc", "GRC", false, "GRC sees its own data");

        Assert.Throws<SharingRefusedException>(() => queries.AlertBand(Request(), grc));
        Assert.Contains("not a series the detection pass watches", Assert.Throws<QueryException>(() => queries.AlertBand(new AlertBandRequest { State = "ITA", Table = "corridors", Measure = "migrants", Dims = "border_type=sea" })).Message, StringComparison.Ordinal);
        Assert.Contains("key=value", Assert.Throws<QueryException>(() => queries.AlertBand(new AlertBandRequest { Table = "corridors", Measure = "migrants", Dims = "corridor" })).Message, StringComparison.Ordinal);
        Assert.Contains("fewer than", Assert.Throws<QueryException>(() => queries.AlertBand(new AlertBandRequest { State = "ITA", Table = "corridors", Measure = "migrants", Dims = "corridor=black_sea" })).Message, StringComparison.Ordinal);
    }
}

[Trait("Category", "Unit")]
public sealed class AlertBandTestsOnSqlite() : AlertBandTests(StoreProvider.Sqlite);

[Trait("Category", "Unit")]
[Trait("Store", "postgres")]
public sealed class AlertBandTestsOnPostgres() : AlertBandTests(StoreProvider.Postgres);
