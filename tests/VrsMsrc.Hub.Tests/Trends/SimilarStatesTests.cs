using VrsMsrc.Contracts.Text;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Trends;
using VrsMsrc.Hub.Trends.Similarity;

namespace VrsMsrc.Hub.Tests.Trends;

[Trait("Category", "Unit")]
public abstract class SimilarStatesTests(StoreProvider provider) : IDisposable
{
    private readonly TempHubStore _store = new(provider);

    public void Dispose()
    {
        _store.Dispose();
        GC.SuppressFinalize(this);
    }

    private static IEnumerable<(string, long, string, string[], string, long)> Nationality(string nationality, Func<int, double> shape) =>
        Enumerable.Range(0, 24).Select(t => (Months.Format(new DateOnly(2023, 1, 1).AddMonths(t)), 1L, "migrant_profile",
            new[] { nationality, "unknown", "unknown" }, "migrants", (long)Math.Round(shape(t))));

    [Fact]
    public void Correlation_is_that_of_log_counts_over_months_both_published()
    {
        double?[] a = [10, 100, 1000, 10, 100, 1000, null];
        double?[] b = [20, 200, 2000, 20, 200, 2000, 5];
        Assert.Equal(1, SimilarStates.Correlation(a, b)!.Value.R, 2);
        Assert.Equal(-1, SimilarStates.Correlation(a, [.. b.Reverse().Skip(1).Append(7)])!.Value.R, 1);
        Assert.Null(SimilarStates.Correlation([1, 2, 3, 4, 5], [1, 2, 3, 4, 5])); // fewer than 6 shared months
        Assert.Null(SimilarStates.Correlation([5, 5, 5, 5, 5, 5], [1, 2, 3, 4, 5, 6])); // a flat series says nothing
    }

    [Fact]
    public void A_state_whose_series_rise_and_fall_with_ours_ranks_first_and_the_reason_says_which()
    {
        Func<int, double> rising = t => 20 + (t * t);
        Func<int, double> falling = t => 600 - (t * t);
        _store.Apply(TempHubStore.Release("ITA", [.. Nationality("SYR", rising), .. Nationality("AFG", t => 50 + (10 * (t % 4)))]));
        _store.Apply(TempHubStore.Release("GRC", [.. Nationality("SYR", t => 3 * rising(t)), .. Nationality("AFG", t => 80 + (15 * (t % 4)))]));
        _store.Apply(TempHubStore.Release("ESP", [.. Nationality("SYR", falling), .. Nationality("AFG", t => 80 - (15 * (t % 4)))]));
        _store.Apply(TempHubStore.Release("ROU", [.. Nationality("MAR", rising)]));

        var response = TrendEngine.Queries(_store).Similar(new SimilarRequest { State = "ita", Months = 24 });

        Assert.Equal(["GRC", "ESP", "ROU"], response.States.Select(s => s.SimilarState));
        var grc = response.States[0];
        Assert.Equal("ITA", grc.State);
        Assert.True(grc.Score > 0.35, $"score {grc.Score}"); // two shared series: r ≈ 1 shrunk by 2/(2 + 2)
        Assert.Equal(2, grc.SharedSeries);
        Assert.Contains("rise and fall together", grc.Reason, StringComparison.Ordinal);
        Assert.Contains("nationality SYR (r = 1.00)", grc.Reason, StringComparison.Ordinal);
        Assert.True(response.States[1].Score < 0);
        Assert.Contains("opposite", response.States[1].Reason, StringComparison.Ordinal);
        Assert.Equal(0, response.States[2].SharedSeries);
        Assert.Equal(("2023-01", "2024-12"), (response.FirstMonth, response.LastMonth));
    }

    [Fact]
    public void A_state_without_data_or_without_a_name_is_refused()
    {
        _store.Apply(TempHubStore.Release("ITA", [.. Nationality("SYR", t => 20 + t)]));
        var queries = TrendEngine.Queries(_store);
        Assert.Throws<QueryException>(() => queries.Similar(new SimilarRequest { State = "POL" }));
        Assert.Throws<QueryException>(() => queries.Similar(new SimilarRequest()));
        Assert.Throws<QueryException>(() => queries.Similar(new SimilarRequest { State = "ITA", Months = 3 }));
    }
}

[Trait("Category", "Unit")]
public sealed class SimilarStatesTestsOnSqlite() : SimilarStatesTests(StoreProvider.Sqlite);

[Trait("Category", "Unit")]
[Trait("Store", "postgres")]
public sealed class SimilarStatesTestsOnPostgres() : SimilarStatesTests(StoreProvider.Postgres);
