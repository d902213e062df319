using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Trends;

namespace VrsMsrc.Hub.Tests.Trends;

/// <summary>
/// SQL metacharacters in any parameter of any question are only values: the question is refused with a
/// reason, or answered with nothing because no code matches; the store is never touched.
/// </summary>
[Trait("Category", "Unit")]
public abstract class HostileQuestionsTests : IDisposable
{
    public const string Injection = "x' OR '1'='1'; DROP TABLE cells; --";

    private readonly TempHubStore _store;
    private readonly TrendQueries _queries;
    private readonly SeriesEngine _series;

    protected HostileQuestionsTests(StoreProvider provider)
    {
        _store = new(provider);
        _store.Apply(TempHubStore.Release("ITA",
            ("2024-01", 1, "legs", ["TUN", "ITA", "maritime"], "migrants", 60),
            ("2024-01", 1, "corridors", ["central_mediterranean", "sea"], "migrants", 60),
            ("2024-01", 1, "fees", ["TUN", "ITA", "EUR", "1000-2000"], "fee_reports", 12),
            ("2024-01", 1, "migrant_profile", ["TUN", "male", "25-34"], "migrants", 60)));
        _queries = TrendEngine.Queries(_store);
        _series = new SeriesEngine(_store.Cells);
    }

    public void Dispose()
    {
        _store.Dispose();
        GC.SuppressFinalize(this);
    }

    public static TheoryData<string> Questions() =>
    [
        "series.table", "series.measure", "series.by", "series.period", "series.from", "series.to", "series.state", "series.where-dim", "series.where-value",
        "flows.from", "flows.to", "flows.state", "flows.transport_mode", "flows.border_type",
        "fees.from", "fees.to", "fees.state", "fees.origin", "fees.destination", "fees.currency",
        "profiles.subject", "profiles.measure", "profiles.by", "profiles.where-dim", "profiles.where-value", "profiles.from", "profiles.to", "profiles.state",
        "coverage.state", "alerts.from", "alerts.to", "alerts.state", "similar.state",
    ];

    [Theory]
    [MemberData(nameof(Questions))]
    public void Sql_in_any_parameter_is_refused_or_matches_nothing(string parameter)
    {
        const string x = Injection;
        Func<int> ask = parameter switch
        {
            "series.table" => () => _series.Series(new SeriesRequest { Table = x, Measure = "migrants" }, TrendQueries.All).Points.Count(p => p.Flag is ""),
            "series.measure" => () => _series.Series(new SeriesRequest { Measure = x }, TrendQueries.All).Points.Count(p => p.Flag is ""),
            "series.by" => () => _series.Series(new SeriesRequest { Table = "corridors", Measure = "migrants", By = x }, TrendQueries.All).Points.Count(p => p.Flag is ""),
            "series.period" => () => _series.Series(new SeriesRequest { Table = "corridors", Measure = "migrants", Period = x }, TrendQueries.All).Points.Count(p => p.Flag is ""),
            "series.from" => () => _series.Series(new SeriesRequest { Table = "corridors", Measure = "migrants", From = x }, TrendQueries.All).Points.Count(p => p.Flag is ""),
            "series.to" => () => _series.Series(new SeriesRequest { Table = "corridors", Measure = "migrants", To = x }, TrendQueries.All).Points.Count(p => p.Flag is ""),
            "series.state" => () => _series.Series(new SeriesRequest { Table = "corridors", Measure = "migrants", States = { x } }, TrendQueries.All).Points.Count(p => p.Flag is ""),
            "series.where-dim" => () => _series.Series(new SeriesRequest { Table = "corridors", Measure = "migrants", Where = { x + "=sea" } }, TrendQueries.All).Points.Count(p => p.Flag is ""),
            "series.where-value" => () => _series.Series(new SeriesRequest { Table = "corridors", Measure = "migrants", Where = { "corridor=" + x } }, TrendQueries.All).Points.Count(p => p.Flag is ""),
            "flows.from" => () => _queries.Flows(new FlowsRequest { From = x }).Legs.Count,
            "flows.to" => () => _queries.Flows(new FlowsRequest { To = x }).Legs.Count,
            "flows.state" => () => _queries.Flows(new FlowsRequest { States = { x } }).Legs.Count,
            "flows.transport_mode" => () => _queries.Flows(new FlowsRequest { TransportMode = x }).Legs.Count,
            "flows.border_type" => () => _queries.Flows(new FlowsRequest { BorderType = x }).Corridors.Count,
            "fees.from" => () => _queries.Fees(new FeesRequest { From = x }).Estimates.Count,
            "fees.to" => () => _queries.Fees(new FeesRequest { To = x }).Estimates.Count,
            "fees.state" => () => _queries.Fees(new FeesRequest { States = { x } }).Estimates.Count,
            "fees.origin" => () => _queries.Fees(new FeesRequest { Origin = x }).Estimates.Count,
            "fees.destination" => () => _queries.Fees(new FeesRequest { Destination = x }).Estimates.Count,
            "fees.currency" => () => _queries.Fees(new FeesRequest { Currency = x }).Estimates.Count,
            "profiles.subject" => () => _queries.Profiles(new ProfilesRequest { Subject = x }).Rows.Count,
            "profiles.measure" => () => _queries.Profiles(new ProfilesRequest { Measure = x }).Rows.Count,
            "profiles.by" => () => _queries.Profiles(new ProfilesRequest { By = { x } }).Rows.Count,
            "profiles.where-dim" => () => _queries.Profiles(new ProfilesRequest { Where = { x + "=TUN" } }).Rows.Count,
            "profiles.where-value" => () => _queries.Profiles(new ProfilesRequest { Where = { "nationality=" + x } }).Rows.Count,
            "profiles.from" => () => _queries.Profiles(new ProfilesRequest { From = x }).Rows.Count,
            "profiles.to" => () => _queries.Profiles(new ProfilesRequest { To = x }).Rows.Count,
            "profiles.state" => () => _queries.Profiles(new ProfilesRequest { States = { x } }).Rows.Count,
            "coverage.state" => () => _queries.Coverage(new CoverageRequest { States = { x } }).Nodes.Count,
            "alerts.from" => () => _queries.Alerts(new AlertsRequest { From = x }).Alerts.Count,
            "alerts.to" => () => _queries.Alerts(new AlertsRequest { To = x }).Alerts.Count,
            "alerts.state" => () => _queries.Alerts(new AlertsRequest { States = { x } }).Alerts.Count,
            "similar.state" => () => _queries.Similar(new SimilarRequest { State = x }).States.Count,
            _ => throw new ArgumentOutOfRangeException(nameof(parameter)),
        };

        try
        {
            Assert.Equal(0, ask());
        }
        catch (QueryException e)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
        }

        // Nothing was dropped or changed.
        Assert.Equal(4, _store.Cells.Cells(new Hub.Storage.CellQuery("legs", "migrants", 3, null, null, [], [])).Count
            + _store.Cells.Cells(new Hub.Storage.CellQuery("corridors", "migrants", 2, null, null, [], [])).Count
            + _store.Cells.Cells(new Hub.Storage.CellQuery("fees", "fee_reports", 4, null, null, [], [])).Count
            + _store.Cells.Cells(new Hub.Storage.CellQuery("migrant_profile", "migrants", 3, null, null, [], [])).Count);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(100_000)]
    public void Sizes_out_of_range_are_refused(int size)
    {
        Assert.Throws<QueryException>(() => _queries.Flows(new FlowsRequest { Top = size }));
        Assert.Throws<QueryException>(() => _queries.Alerts(new AlertsRequest { Limit = size * 10 }));
        Assert.Throws<QueryException>(() => _queries.Similar(new SimilarRequest { State = "ITA", Top = size }));
    }

    [Fact]
    public void More_filters_or_states_than_any_question_needs_are_refused()
    {
        var profiles = new ProfilesRequest();
        profiles.Where.AddRange(Enumerable.Repeat("nationality=TUN", 9));
        Assert.Throws<QueryException>(() => _queries.Profiles(profiles));
        var flows = new FlowsRequest();
        flows.States.AddRange(Enumerable.Repeat("ITA", RangeArguments.MaxStates + 1));
        Assert.Throws<QueryException>(() => _queries.Flows(flows));
    }

    [Fact]
    public void A_range_that_ends_before_it_starts_is_refused()
    {
        var error = Assert.Throws<QueryException>(() => _queries.Flows(new FlowsRequest { From = "2024-05", To = "2024-01" }));
        Assert.Equal("--from 2024-05 is after --to 2024-01", error.Message);
    }
}

[Trait("Category", "Unit")]
public sealed class HostileQuestionsTestsOnSqlite() : HostileQuestionsTests(StoreProvider.Sqlite);

[Trait("Category", "Unit")]
[Trait("Store", "postgres")]
public sealed class HostileQuestionsTestsOnPostgres() : HostileQuestionsTests(StoreProvider.Postgres);
