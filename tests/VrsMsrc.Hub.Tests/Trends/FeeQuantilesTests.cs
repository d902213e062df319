using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Trends;
using VrsMsrc.Hub.Trends.Fees;

namespace VrsMsrc.Hub.Tests.Trends;

[Trait("Category", "Unit")]
public sealed class FeeQuantilesTests
{
    [Fact]
    public void A_quantile_is_interpolated_linearly_inside_the_band_that_holds_it()
    {
        BandCount[] bands = [new(500, 1000, 10), new(1000, 2000, 30), new(2000, 5000, 10)];

        // N = 50: the median is the 25th report, 15 into the 30 of 1000-2000.
        var median = FeeQuantiles.Estimate(bands, 0.5)!.Value;
        Assert.Equal(1000 + (15.0 / 30 * 1000), median.Amount, 9);
        Assert.Equal("1000-2000", median.Band.Label);

        // The 10th percentile is the 5th report, half-way through the first band.
        Assert.Equal(750, FeeQuantiles.Estimate(bands, 0.1)!.Value.Amount, 9);
    }

    [Fact]
    public void The_highest_occupied_band_is_interpolated_between_its_own_bounds()
    {
        // 1-2-5 bands are all closed: 5000-10000 is the top band here and the 95th percentile lies in it.
        BandCount[] bands = [new(1000, 2000, 90), new(5000, 10000, 10)];
        var p95 = FeeQuantiles.Estimate(bands, 0.95)!.Value;
        Assert.Equal("5000-10000", p95.Band.Label);
        Assert.Equal(5000 + (5.0 / 10 * 5000), p95.Amount, 9);
        Assert.True(FeeQuantiles.Estimate(bands, 0.999)!.Value.Amount < 10000);
    }

    [Fact]
    public void Empty_bands_and_gaps_between_bands_are_skipped_and_order_does_not_matter()
    {
        BandCount[] bands = [new(2000, 5000, 10), new(200, 500, 0), new(0, 100, 10)];
        var median = FeeQuantiles.Estimate(bands, 0.5)!.Value;
        Assert.Equal(100, median.Amount, 9); // the end of the lower half: the top of 0-100
        Assert.Equal(2000 + (1.0 / 10 * 3000), FeeQuantiles.Estimate(bands, 0.55)!.Value.Amount, 9);
        Assert.Null(FeeQuantiles.Estimate([new(0, 100, 0)], 0.5));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    public void A_quantile_outside_0_1_is_refused(double q) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => FeeQuantiles.Estimate([new(0, 100, 5)], q));

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.Postgres)]
    public void Fees_query_estimates_per_route_and_currency_from_published_bands_and_counts_reports(StoreProvider provider)
    {
        using var store = new TempHubStore(provider);
        store.Apply(TempHubStore.Release("ITA",
            ("2024-01", 1, "fees", ["LBY", "ITA", "EUR", "1000-2000"], "fee_reports", 30),
            ("2024-01", 1, "fees", ["LBY", "ITA", "EUR", "2000-5000"], "fee_reports", 10),
            ("2024-01", 1, "fees", ["LBY", "ITA", "USD", "500-1000"], "fee_reports", 12),
            ("2024-02", 1, "fees", ["LBY", "ITA", "EUR", "500-1000"], "fee_reports", 10),
            // March is released, but no fee cell of the route reached the threshold.
            ("2024-03", 1, "totals", [], "migrants", 50)));
        var queries = TrendEngine.Queries(store);

        var response = queries.Fees(new FeesRequest { Quantiles = { 0.5 } });
        var eur = response.Estimates.Single(e => e.Currency == "EUR");
        Assert.Equal(50, eur.Reports);
        Assert.Equal(["500-1000", "1000-2000", "2000-5000"], eur.Bands.Select(b => b.Band));
        Assert.Equal(1000 + (15.0 / 30 * 1000), eur.Quantiles.Single().Amount, 6);
        Assert.Equal((2, 1, RangeTotal.Partial), (eur.PublishedMonths, eur.UnpublishedMonths, eur.Flag));
        Assert.Equal(12, response.Estimates.Single(e => e.Currency == "USD").Reports);
        Assert.Equal(["ITA"], response.Coverage.States);
        Assert.Equal(("2024-01", "2024-03"), (response.Coverage.FirstMonth, response.Coverage.LastMonth));

        Assert.Single(queries.Fees(new FeesRequest { Currency = "USD" }).Estimates);
        Assert.Throws<QueryException>(() => queries.Fees(new FeesRequest { Quantiles = { 1.5 } }));
    }
}
