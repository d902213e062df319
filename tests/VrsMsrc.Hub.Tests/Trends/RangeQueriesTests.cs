using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Trends;

namespace VrsMsrc.Hub.Tests.Trends;

/// <summary>Flows, profiles and coverage over a small store: what is summed and what each answer admits it lacks.</summary>
[Trait("Category", "Unit")]
public abstract class RangeQueriesTests : IDisposable
{
    private readonly TempHubStore _store;
    private readonly TrendQueries _queries;

    protected RangeQueriesTests(StoreProvider provider)
    {
        _store = new(provider);
        _store.Apply(TempHubStore.Release("ITA",
            ("2024-01", 1, "legs", ["TUN", "ITA", "maritime"], "migrants", 60),
            ("2024-01", 1, "legs", ["LBY", "ITA", "maritime"], "migrants", 45),
            ("2024-01", 1, "legs", ["EGY", "LBY", "road"], "migrants", 30),
            ("2024-02", 1, "legs", ["TUN", "ITA", "maritime"], "migrants", 20),
            ("2024-02", 1, "corridors", ["central_mediterranean", "sea"], "migrants", 80),
            ("2024-03", 1, "corridors", ["central_mediterranean", "sea"], "migrants", 90),
            ("2024-03", 1, "migrant_profile", ["TUN", "male", "25-34"], "migrants", 30),
            ("2024-03", 1, "migrant_profile", ["TUN", "female", "25-34"], "migrants", 10),
            ("2024-03", 1, "migrant_profile", ["EGY", "male", "18-24"], "migrants", 20),
            ("2024-03", 1, "smuggler_profile", ["TUN", "boat_crew", "male"], "facilitators", 12)));
        _store.Apply(TempHubStore.Release("GRC",
            ("2024-03", 1, "legs", ["TUR", "GRC", "maritime"], "migrants", 70),
            ("2024-03", 1, "legs", ["TUN", "ITA", "maritime"], "migrants", 11),
            ("2024-03", 1, "corridors", ["eastern_mediterranean", "sea"], "migrants", 70)));
        _queries = TrendEngine.Queries(_store);
    }

    public void Dispose()
    {
        _store.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void Flows_weigh_the_legs_as_a_graph_and_mark_months_that_published_no_cell()
    {
        var flows = _queries.Flows(new FlowsRequest());

        Assert.Equal(["TUN>ITA 91", "TUR>GRC 70", "LBY>ITA 45", "EGY>LBY 30"], flows.Legs.Select(l => $"{l.FromCountry}>{l.ToCountry} {l.Migrants}"));
        var tunIta = flows.Legs[0];
        // ITA released 3 months and published TUN>ITA in 2; GRC released 1 and published it.
        Assert.Equal((2, 3, 1, RangeTotal.Partial), (tunIta.States, tunIta.PublishedMonths, tunIta.UnpublishedMonths, tunIta.Flag));
        var turGrc = flows.Legs[1];
        Assert.Equal((1, 0, ""), (turGrc.States, turGrc.UnpublishedMonths, turGrc.Flag));

        Assert.Equal("ITA 0>136", $"{flows.Countries[0].Country} {flows.Countries[0].Outgoing}>{flows.Countries[0].Incoming}");
        Assert.Equal(75, flows.Countries.Single(c => c.Country == "LBY").Outgoing + flows.Countries.Single(c => c.Country == "LBY").Incoming);

        Assert.Equal(["central_mediterranean 170", "eastern_mediterranean 70"], flows.Corridors.Select(c => $"{c.Corridor} {c.Migrants}"));
        Assert.Equal("corridors", flows.CorridorCoverage.Table);

        // The answer says whom and when it covers: GRC released only March of the three months.
        Assert.Equal(["GRC", "ITA"], flows.Coverage.States);
        Assert.Equal(("2024-01", "2024-03", 4, 2), (flows.Coverage.FirstMonth, flows.Coverage.LastMonth, flows.Coverage.ReleasedMonths, flows.Coverage.MissingMonths));
    }

    [Fact]
    public void Flows_filter_by_transport_mode_range_and_state_and_keep_the_top()
    {
        Assert.Equal(["EGY>LBY"], _queries.Flows(new FlowsRequest { TransportMode = "road" }).Legs.Select(l => $"{l.FromCountry}>{l.ToCountry}"));
        Assert.Equal(["TUN>ITA 20"], _queries.Flows(new FlowsRequest { From = "2024-02", To = "2024-02" }).Legs.Select(l => $"{l.FromCountry}>{l.ToCountry} {l.Migrants}"));
        Assert.Equal(2, _queries.Flows(new FlowsRequest { States = { "grc" } }).Legs.Count);
        Assert.Single(_queries.Flows(new FlowsRequest { Top = 1 }).Legs);
        Assert.Empty(_queries.Flows(new FlowsRequest { BorderType = "land" }).Corridors);
    }

    [Fact]
    public void Profiles_sum_by_the_dimensions_asked_with_shares()
    {
        var bySex = _queries.Profiles(new ProfilesRequest { By = { "sex" } });
        Assert.Equal(["male 50 0.8333", "female 10 0.1667"], bySex.Rows.Select(r => $"{r.Dims["sex"]} {r.Value} {r.Share}"));
        Assert.Equal("migrant_profile", bySex.Coverage.Table);

        var tunisians = _queries.Profiles(new ProfilesRequest { Where = { "nationality=TUN" } });
        Assert.Equal(["sex=male;age_band=25-34 30", "sex=female;age_band=25-34 10"],
            tunisians.Rows.Select(r => $"{string.Join(';', r.Dims.Select(d => $"{d.Key}={d.Value}"))} {r.Value}"));

        var smugglers = _queries.Profiles(new ProfilesRequest { Subject = "smugglers" });
        Assert.Equal("facilitators", smugglers.Measure);
        Assert.Equal(["boat_crew 12"], smugglers.Rows.Select(r => $"{r.Dims["role"]} {r.Value}"));
        Assert.Equal("smuggler_stages", _queries.Profiles(new ProfilesRequest { Subject = "smugglers", By = { "sex" } }).Coverage.Table);

        Assert.Throws<QueryException>(() => _queries.Profiles(new ProfilesRequest { Subject = "smugglers", By = { "age_band" } }));
        Assert.Throws<QueryException>(() => _queries.Profiles(new ProfilesRequest { Subject = "victims" }));
    }

    [Fact]
    public void Coverage_lists_each_node_with_its_months_gaps_and_freshness()
    {
        var clock = TrendEngine.Clock(); // 2025-01: complete months up to 2024-12
        var registry = _store.Registry(clock);
        foreach (var (state, serial) in new[] { ("ITA", "01"), ("GRC", "02"), ("ROU", "03") })
        {
            registry.Register(new Hub.Pki.IssuedCertificate(state, serial, "thumbprint", clock.GetUtcNow(), clock.GetUtcNow().AddYears(1), "pem"));
        }

        _store.Apply(TempHubStore.Release("GRC", ("2024-06", 1, "totals", [], "migrants", 10)));

        var nodes = TrendEngine.Queries(_store, clock).Coverage(new CoverageRequest()).Nodes;

        Assert.Equal(
            ["GRC 2024-03..2024-06 2 months 2 gaps 2 releases 6 behind", "ITA 2024-01..2024-03 3 months 0 gaps 1 releases 9 behind", "ROU .. 0 months 0 gaps 0 releases 0 behind"],
            nodes.Select(n => $"{n.State} {n.FirstMonth}..{n.LastMonth} {n.Months} months {n.Gaps} gaps {n.Releases} releases {n.MonthsBehind} behind"));
    }
}

[Trait("Category", "Unit")]
public sealed class RangeQueriesTestsOnSqlite() : RangeQueriesTests(StoreProvider.Sqlite);

[Trait("Category", "Unit")]
[Trait("Store", "postgres")]
public sealed class RangeQueriesTestsOnPostgres() : RangeQueriesTests(StoreProvider.Postgres);
