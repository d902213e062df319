using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Trends;

namespace VrsMsrc.Hub.Tests.Trends;

[Trait("Category", "Unit")]
public abstract class TableChoiceTests : IDisposable
{
    private readonly TempHubStore _store;

    protected TableChoiceTests(StoreProvider provider)
    {
        _store = new(provider);
        _store.Apply(TempHubStore.Release("ITA",
            ("2024-01", 1, "totals", [], "migrants", 140),
            ("2024-01", 1, "corridors", ["central_mediterranean", "sea"], "migrants", 120),
            ("2024-01", 1, "flows", ["TUN", "sea", "at_sea", "central_mediterranean"], "migrants", 60),
            ("2024-01", 1, "flows", ["EGY", "sea", "at_sea", "central_mediterranean"], "migrants", 40),
            ("2024-01", 1, "migrant_profile", ["TUN", "unknown", "unknown"], "migrants", 70),
            ("2024-01", 1, "migrant_profile", ["EGY", "unknown", "unknown"], "migrants", 50),
            ("2024-01", 1, "legs", ["TUN", "ITA", "maritime"], "migrants", 60),
            ("2024-01", 1, "legs", ["LBY", "ITA", "maritime"], "migrants", 45)));
    }

    public void Dispose()
    {
        _store.Dispose();
        GC.SuppressFinalize(this);
    }

    [Theory]
    [InlineData("migrants", "", "", "totals")]
    [InlineData("migrants", "state", "", "totals")]
    [InlineData("migrants", "corridor", "", "corridors")]
    [InlineData("migrants", "nationality", "", "migrant_profile")]
    [InlineData("migrants", "nationality", "corridor=central_mediterranean", "flows")]
    [InlineData("migrants", "from_country,to_country", "", "legs")]
    [InlineData("incidents", "transport_mode", "", "concealment")]
    [InlineData("dead_missing", "corridor", "", "deaths")]
    [InlineData("facilitators", "sex", "", "smuggler_stages")]
    public void A_series_without_a_table_is_answered_from_the_coarsest_table_that_covers_it(string measure, string by, string where, string table)
    {
        var request = new SeriesRequest { Measure = measure, By = by };
        if (where.Length > 0)
        {
            request.Where.Add(where);
        }

        Assert.Equal(table, new SeriesEngine(_store.Cells).Series(request, TrendQueries.All).Table);
    }

    [Fact]
    public void The_coarser_table_keeps_what_the_finer_one_lost_to_the_threshold()
    {
        // migrant_profile has 120 migrants for the two nationalities; the flows table, finer, only 100.
        var engine = new SeriesEngine(_store.Cells);
        var chosen = engine.Series(new SeriesRequest { Measure = "migrants", By = "nationality" }, TrendQueries.All);
        var fine = engine.Series(new SeriesRequest { Table = "flows", Measure = "migrants", By = "nationality" }, TrendQueries.All);
        Assert.Equal(120, chosen.Points.Sum(p => p.Value));
        Assert.Equal(100, fine.Points.Sum(p => p.Value));
    }

    [Fact]
    public void Several_by_dimensions_group_by_their_values_joined_with_a_semicolon()
    {
        var response = new SeriesEngine(_store.Cells).Series(new SeriesRequest { Measure = "migrants", By = "from_country,to_country" }, TrendQueries.All);
        Assert.Equal(["LBY;ITA 45", "TUN;ITA 60"], response.Points.Select(p => $"{p.Group} {p.Value}"));
    }

    [Theory]
    [InlineData("fees", "", "no catalogue table has the measure 'fees'")]
    [InlineData("migrants", "role", "no catalogue table has the measure 'migrants' with the dimensions role")]
    [InlineData("migrants", "state,corridor", "no catalogue table has the measure 'migrants' with the dimensions state, corridor")]
    public void A_question_no_table_covers_is_refused_with_the_reason(string measure, string by, string reason)
    {
        var error = Assert.Throws<QueryException>(() => new SeriesEngine(_store.Cells).Series(new SeriesRequest { Measure = measure, By = by }, TrendQueries.All));
        Assert.StartsWith(reason, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("corridor,corridor")]
    [InlineData("state,corridor")]
    [InlineData("corridor,")]
    public void By_names_each_dimension_of_the_table_once_and_state_alone(string by)
    {
        var error = Assert.Throws<QueryException>(() => new SeriesEngine(_store.Cells).Series(new SeriesRequest { Table = "corridors", Measure = "migrants", By = by }, TrendQueries.All));
        Assert.StartsWith($"cannot group corridors by '{by}'", error.Message, StringComparison.Ordinal);
    }
}

[Trait("Category", "Unit")]
public sealed class TableChoiceTestsOnSqlite() : TableChoiceTests(StoreProvider.Sqlite);

[Trait("Category", "Unit")]
[Trait("Store", "postgres")]
public sealed class TableChoiceTestsOnPostgres() : TableChoiceTests(StoreProvider.Postgres);
