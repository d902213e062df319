using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Trends;

namespace VrsMsrc.Hub.Tests.Trends;

/// <summary>
/// The caller's scope restricts every trend question in the engine itself: a restricted caller (a state
/// that has not contributed lately) sees its own state's data and regional sums, never another state's.
/// </summary>
[Trait("Category", "Unit")]
public abstract class QueryScopeTests : IDisposable
{
    private static readonly QueryScope Restricted = new("analyst-pol", "POL", false, "POL has not contributed a release in the last 12 months");

    private readonly TempHubStore _store;
    private readonly TrendQueries _queries;

    protected QueryScopeTests(StoreProvider provider)
    {
        _store = new(provider);
        foreach (var state in new[] { "POL", "ITA", "GRC" })
        {
            _store.Apply(TempHubStore.Release(state,
                ("2024-01", 1, "legs", ["SYR", state, "road"], "migrants", 40),
                ("2024-01", 1, "fees", ["SYR", state, "EUR", "1000-2000"], "fee_reports", 12),
                ("2024-01", 1, "migrant_profile", ["SYR", "male", "25-34"], "migrants", 40)));
        }

        _queries = TrendEngine.Queries(_store);
    }

    public void Dispose()
    {
        _store.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void Without_a_scope_every_state_is_seen()
    {
        Assert.Equal(3, _queries.Flows(new FlowsRequest()).Legs.Count);
        Assert.Equal(3, _queries.Coverage(new CoverageRequest()).Nodes.Count);
        Assert.Equal(3, _queries.Flows(new FlowsRequest(), QueryScope.Unrestricted("regional")).Legs.Count);
    }

    [Fact]
    public void A_restricted_caller_gets_regional_sums_and_its_own_state()
    {
        Assert.Equal(3, _queries.Flows(new FlowsRequest(), Restricted).Legs.Count);
        Assert.Equal(120, _queries.Profiles(new ProfilesRequest(), Restricted).Rows.Sum(r => r.Value));
        Assert.Equal(["SYR>POL"], _queries.Flows(new FlowsRequest { States = { "POL" } }, Restricted).Legs.Select(l => $"{l.FromCountry}>{l.ToCountry}"));
        Assert.Equal(["POL"], _queries.Coverage(new CoverageRequest(), Restricted).Nodes.Select(n => n.State));
    }

    [Fact]
    public void A_restricted_caller_naming_another_state_is_refused_by_every_question()
    {
        Action[] questions =
        [
            () => _queries.Flows(new FlowsRequest { States = { "ITA" } }, Restricted),
            () => _queries.Fees(new FeesRequest { States = { "POL", "ITA" } }, Restricted),
            () => _queries.Profiles(new ProfilesRequest { States = { "GRC" } }, Restricted),
            () => _queries.Coverage(new CoverageRequest { States = { "ITA" } }, Restricted),
            () => _queries.Alerts(new AlertsRequest { States = { "ITA" } }, Restricted),
            () => _queries.Similar(new SimilarRequest { State = "POL" }, Restricted),
        ];
        Assert.All(questions, q => Assert.Throws<SharingRefusedException>(q));
    }

    [Fact]
    public void A_restricted_caller_sees_its_own_alerts_and_the_regional_ones_only()
    {
        var alerts = _store.Alerts;
        var clock = TrendEngine.Clock();
        Hub.Trends.Alerts.TrendAlert Alert(string state) => new(state, "totals", "migrants", "", "2024-01", 100, 10, "ears-c2");
        alerts.Replace([Alert("POL"), Alert("ITA"), Alert("")], new(clock.GetUtcNow(), clock.GetUtcNow(), "test", 3, 3, "2024-01", "2024-01"));

        var seen = _queries.Alerts(new AlertsRequest(), Restricted).Alerts.Select(a => a.State).Order();
        Assert.Equal(["", "POL"], seen);
        Assert.Equal(["", "ITA", "POL"], _queries.Alerts(new AlertsRequest()).Alerts.Select(a => a.State).Order());
    }
}

[Trait("Category", "Unit")]
public sealed class QueryScopeTestsOnSqlite() : QueryScopeTests(StoreProvider.Sqlite);

[Trait("Category", "Unit")]
[Trait("Store", "postgres")]
public sealed class QueryScopeTestsOnPostgres() : QueryScopeTests(StoreProvider.Postgres);
