using Microsoft.Extensions.Logging.Abstractions;
using VrsMsrc.Contracts.Text;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Trends;
using VrsMsrc.Hub.Trends.Alerts;

namespace VrsMsrc.Hub.Tests.Trends;

[Trait("Category", "Unit")]
public abstract class AlertPassTests(StoreProvider provider) : IDisposable
{
    private readonly TempHubStore _store = new(provider);

    public void Dispose()
    {
        _store.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A seasonal monthly count from <paramref name="first"/>, with some months replaced.</summary>
    private static IEnumerable<(string Month, long Value)> Seasonal(string first, int months, long level, Dictionary<string, long>? replaced = null) =>
        Enumerable.Range(0, months).Select(t =>
        {
            var month = Months.Format(Months.Parse(first).AddMonths(t));
            var value = (long)Math.Round(level * (1 + (0.3 * Math.Sin(t * Math.PI / 6))) + (t * 7 % 5));
            return (month, replaced is not null && replaced.TryGetValue(month, out var r) ? r : value);
        });

    private void Publish(string state, string table, string[] dims, IEnumerable<(string Month, long Value)> months)
    {
        _store.Apply(TempHubStore.Release(state, [.. months.Select(m => (m.Month, 1L, table, dims, "migrants", m.Value))]));
    }

    private AlertPassResult Run() => new AlertPass(new SeriesEngine(_store.Cells)).Run();

    [Fact]
    public void A_jump_with_four_years_before_it_is_judged_by_farrington_and_one_in_a_short_series_by_ears()
    {
        Publish("ITA", "corridors", ["central_mediterranean", "sea"], Seasonal("2018-01", 84, 200, new() { ["2024-10"] = 1500 }));
        Publish("GRC", "corridors", ["eastern_mediterranean", "sea"], Seasonal("2023-01", 24, 200, new() { ["2024-11"] = 1500 }));

        var alerts = Run().Alerts.Where(a => a.Table == "corridors").ToList();

        // EARS, blind to seasons, also flags a few spring rises before 2022; the jumps rank first.
        var ita = alerts.First(a => a.State == "ITA");
        Assert.Equal(("corridor=central_mediterranean", "2024-10", 1500.0, AlertPass.Farrington), (ita.Dims, ita.Month, ita.Observed, ita.Method));
        Assert.True(ita.UpperBound is > 140 and < 1500); // October is the seasonal low (about 140)
        Assert.DoesNotContain(alerts, a => a.State == "ITA" && a.Method == AlertPass.Farrington && a.Month != "2024-10");
        var grc = alerts.First(a => a.State == "GRC");
        Assert.Equal(("2024-11", AlertPass.Ears), (grc.Month, grc.Method));
    }

    [Fact]
    public void Suppressed_months_are_missing_values_not_zeros()
    {
        // A year at 50, then a year released with no cell (below the threshold), then 20. Read as zeros,
        // the suppressed year would make 20 an alarm over a flat baseline of 0; read as missing, it leaves
        // EARS no baseline and Farrington too little history, so nothing is said.
        var months = Seasonal("2023-01", 12, 50).Append(("2025-01", 20)).ToList();
        Publish("ITA", "corridors", ["central_mediterranean", "sea"], months);
        _store.Apply(TempHubStore.Release("ITA", [.. Enumerable.Range(0, 12).Select(t => (Months.Format(new DateOnly(2024, 1, 1).AddMonths(t)), 1L, "totals", Array.Empty<string>(), "incidents", 11L))]));

        var series = new SeriesEngine(_store.Cells).Series(new SeriesRequest { Table = "corridors", Measure = "migrants", By = "corridor" }, TrendQueries.All);
        Assert.Equal(12, series.Points.Count(p => p.Flag == SeriesEngine.Suppressed));
        Assert.DoesNotContain(Run().Alerts, a => a.Table == "corridors");
    }

    [Fact]
    public void States_alarming_together_raise_a_regional_alert_and_a_regional_month_of_one_state_raises_none()
    {
        foreach (var state in new[] { "ITA", "GRC" })
        {
            Publish(state, "migrant_profile", ["SYR", "unknown", "unknown"], Seasonal("2022-01", 36, 100, new() { ["2024-12"] = 900 }));
        }

        // Only ESP publishes Moroccans: the regional series is ESP's own.
        Publish("ESP", "migrant_profile", ["MAR", "unknown", "unknown"], Seasonal("2022-01", 36, 100, new() { ["2024-12"] = 900 }));

        var alerts = Run().Alerts.Where(a => a.Month == "2024-12").ToList();

        Assert.Equal(["", "GRC", "ITA"], alerts.Where(a => a.Dims == "nationality=SYR").Select(a => a.State).Order());
        Assert.All(alerts.Where(a => a.Dims == "nationality=SYR"), a => Assert.Equal(2, a.StatesAlarming));
        Assert.Equal(["ESP"], alerts.Where(a => a.Dims == "nationality=MAR").Select(a => a.State));
        Assert.Equal("nationality=SYR", alerts[0].Dims);
    }

    [Fact]
    public void A_farrington_trend_run_away_after_a_surge_does_not_call_ordinary_months_alarms()
    {
        // Western Balkan route detections 2014-2019 (Frontex, monthly): after the 2015 surge the fall is
        // extrapolated towards zero and Farrington's bound for mid-2019 drops below every count of 2018.
        long[] wb =
        [
            1520, 924, 895, 904, 900, 1205, 1736, 2436, 4913, 5500, 9407, 13012, 12928, 14720, 5300, 7017, 10369, 17168, 35564, 52975,
            141207, 205701, 163881, 97200, 67001, 36620, 5027, 3936, 3429, 3734, 2230, 2071, 1588, 1988, 1225, 1406, 1523, 1181, 800, 796,
            610, 815, 1071, 1502, 1302, 901, 1070, 608, 519, 314, 422, 482, 475, 272, 390, 592, 599, 518, 635, 618, 653, 970, 1172, 937,
            872, 735, 895, 644,
        ];
        var series = new MonthlySeries("HRV", "totals", "migrants", "", "2014-01", [.. wb.Select(v => (double?)v)]);

        var alarms = AlertPass.Judge(series);

        Assert.DoesNotContain(alarms, a => a.Month is "2019-05" or "2019-06" or "2019-07");
        Assert.All(alarms.Where(a => a.Method == AlertPass.Farrington), a => Assert.True(a.UpperBound > 0));
    }

    [Fact]
    public void A_second_pass_judges_only_the_months_whose_window_changed()
    {
        Publish("ITA", "corridors", ["central_mediterranean", "sea"], Seasonal("2019-01", 72, 200));
        var pass = new AlertPass(new SeriesEngine(_store.Cells));

        var first = pass.Run();
        var again = pass.Run();
        Publish("ITA", "corridors", ["central_mediterranean", "sea"], [("2025-01", 210)]);
        var after = pass.Run();

        Assert.True(first.MonthsJudged >= 72);
        Assert.Equal(0, again.MonthsJudged);
        Assert.Equal(first.Alerts, again.Alerts);

        // Only the new month's window is new: in ITA's series, and in the regional one, which is the same.
        Assert.InRange(after.MonthsJudged, 1, 2);
    }

    [Fact]
    public async Task Releases_applied_together_cost_one_pass_after_the_debounce()
    {
        Publish("ITA", "corridors", ["central_mediterranean", "sea"], Seasonal("2022-01", 24, 200));
        var clock = TrendEngine.Clock();
        var alerts = _store.Alerts;
        using var detection = TrendEngine.Detection(_store, clock);
        var signal = new IngestSignal();
        using var refresher = new AlertRefresher(signal, detection, alerts, _store.Cells, clock, NullLogger<AlertRefresher>.Instance);

        await refresher.StartAsync(CancellationToken.None);
        await Until(() => alerts.LastRun() is not null);
        Assert.Equal("start", alerts.LastRun()!.Trigger);

        signal.ReleaseApplied("ITA");
        signal.ReleaseApplied("GRC");
        await Task.Delay(200);
        Assert.Equal("start", alerts.LastRun()!.Trigger); // still waiting out the debounce

        // The refresher may not have started its debounce timer yet on a busy machine; a fake clock moved
        // before the timer exists would never fire it, so the clock moves on until the pass has run.
        await Until(() =>
        {
            clock.Advance(AlertRefresher.Debounce);
            return alerts.LastRun()!.Trigger != "start";
        });
        Assert.Equal("ingest GRC ITA", alerts.LastRun()!.Trigger);
        await refresher.StopAsync(CancellationToken.None);
    }

    private static async Task Until(Func<bool> condition)
    {
        for (var i = 0; i < 300 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition(), "timed out");
    }
}

[Trait("Category", "Unit")]
public sealed class AlertPassTestsOnSqlite() : AlertPassTests(StoreProvider.Sqlite);

[Trait("Category", "Unit")]
[Trait("Store", "postgres")]
public sealed class AlertPassTestsOnPostgres() : AlertPassTests(StoreProvider.Postgres);
