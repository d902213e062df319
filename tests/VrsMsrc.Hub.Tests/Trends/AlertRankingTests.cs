using VrsMsrc.Hub.Trends.Alerts;

namespace VrsMsrc.Hub.Tests.Trends;

[Trait("Category", "Unit")]
public sealed class AlertRankingTests
{
    private static TrendAlert Alert(string state, string month, double observed, double bound, string dims = "corridor=central_mediterranean") =>
        new(state, "corridors", "migrants", dims, month, observed, bound, AlertPass.Farrington);

    [Fact]
    public void A_larger_excess_ranks_first_and_a_few_migrants_over_a_small_bound_rank_low()
    {
        var ranked = AlertRanking.Rank([Alert("ITA", "2024-01", 130, 100), Alert("GRC", "2024-01", 5000, 1000, "corridor=eastern_mediterranean"), Alert("ESP", "2024-01", 12, 8, "corridor=western_african")]);
        Assert.Equal(["GRC", "ITA", "ESP"], ranked.Select(a => a.State));
    }

    [Fact]
    public void Persistence_counts_consecutive_alarming_months_of_the_same_series_and_raises_the_score()
    {
        var ranked = AlertRanking.Rank([Alert("ITA", "2024-01", 200, 100), Alert("ITA", "2024-02", 200, 100), Alert("ITA", "2024-03", 200, 100), Alert("ITA", "2024-05", 200, 100)]);
        Assert.Equal(["2024-03 3", "2024-02 2", "2024-01 1", "2024-05 1"], ranked.Select(a => $"{a.Month} {a.Persistence}"));
        Assert.True(ranked[0].Score > ranked[1].Score && ranked[1].Score > ranked[2].Score);
        Assert.Equal(ranked[2].Score, ranked[3].Score);
    }

    [Fact]
    public void Several_states_alarming_on_the_same_series_within_a_month_rank_above_one_alone()
    {
        var ranked = AlertRanking.Rank(
        [
            Alert("ITA", "2024-01", 200, 100, "nationality=SYR"),
            Alert("GRC", "2024-02", 200, 100, "nationality=SYR"),
            Alert("", "2024-02", 400, 200, "nationality=SYR"),
            Alert("ESP", "2024-01", 200, 100, "nationality=MAR"),
            Alert("POL", "2024-04", 200, 100, "nationality=MAR"),
        ]);
        Assert.Equal(2, ranked.Single(a => a.State == "ITA").StatesAlarming);
        Assert.Equal(2, ranked.Single(a => a.State == "").StatesAlarming);
        Assert.Equal(1, ranked.Single(a => a.State == "ESP").StatesAlarming);
        Assert.True(ranked.Single(a => a.State == "ITA").Score > ranked.Single(a => a.State == "ESP").Score);
    }

    [Fact]
    public void The_score_multiplies_size_persistence_and_breadth()
    {
        // size = log10(1 + 300) · (1 + log2(400 / 100)) = 2.4786 · 3
        Assert.Equal(7.436, AlertRanking.Score(400, 100, 1, 1), 3);
        Assert.Equal(7.436 * 1.5 * 2, AlertRanking.Score(400, 100, 3, 3), 2);
        Assert.Equal(AlertRanking.Score(400, 100, AlertRanking.PersistenceCap, 1), AlertRanking.Score(400, 100, 12, 1));
        Assert.Equal(0, AlertRanking.Score(100, 100, 1, 1));
    }
}
