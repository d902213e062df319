using System.Net;
using System.Text.Json;
using Grpc.Core;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Accounts;
using VrsMsrc.Hub.Audit;
using VrsMsrc.System.Tests.Infrastructure;

namespace VrsMsrc.System.Tests;

/// <summary>
/// The trend questions besides the series over the real analyst listener: answered over gRPC and JSON,
/// under the sharing rule, and audited.
/// </summary>
[Trait("Category", "System")]
public sealed class TrendsApiTests : IAsyncLifetime
{
    private TestHub _hub = null!;

    public async Task InitializeAsync()
    {
        _hub = await TestHub.StartAsync();
        using var node = TestNode.Enrolled(_hub, "ITA");
        var file = node.WriteFile("incidents.csv", SyntheticIncidents.Csv("ITA", 1500, seed: 21));
        node.Context.Importer().ImportFile(file, "incidents", null);
        node.Context.Releases().Release();
        Assert.Equal(1, (await node.PushAsync()).Delivered);
    }

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    [Fact]
    public async Task Every_question_is_answered_over_grpc_and_json_and_audited()
    {
        using var channel = _hub.AnalystChannel();
        var trends = new Trends.TrendsClient(channel);

        var corridors = (await trends.FlowsAsync(new FlowsRequest { From = "2024-01", To = "2024-12" })).Corridors;
        Assert.Equal(SyntheticIncidents.Corridors.Order(), corridors.Select(c => c.Corridor).Order());
        var profiles = await trends.ProfilesAsync(new ProfilesRequest { By = { "nationality" } });
        Assert.Contains(profiles.Rows, r => r.Dims["nationality"] == "SYR" && r.Value > 0);
        Assert.Equal(["ITA"], profiles.Coverage.States);
        var coverage = await trends.CoverageAsync(new CoverageRequest());
        Assert.Equal(("ITA", "2023-01", "2024-12"), (coverage.Nodes.Single().State, coverage.Nodes.Single().FirstMonth, coverage.Nodes.Single().LastMonth));
        Assert.Empty((await trends.FeesAsync(new FeesRequest())).Estimates); // no fees in these incidents

        using var http = TrendsOnFrontexTests.AnalystHttpClient(_hub.CaCertificate);
        var anonymous = await http.GetAsync(new Uri($"{_hub.AnalystUrl}/api/v1/trends/coverage"));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        http.DefaultRequestHeaders.Authorization = new("Bearer", _hub.AddAccount("json-reader", Role.RegionalAnalyst, null));
        using var json = JsonDocument.Parse(await http.GetStringAsync(new Uri($"{_hub.AnalystUrl}/api/v1/trends/flows?from=2024-01&to=2024-12&top=2")));
        Assert.Equal(2, json.RootElement.GetProperty("corridors").GetArrayLength());
        Assert.Equal("ITA", json.RootElement.GetProperty("corridorCoverage").GetProperty("states")[0].GetString());
        var bad = await http.GetAsync(new Uri($"{_hub.AnalystUrl}/api/v1/trends/flows?from=2024-13"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        var audited = _hub.Audit.Read(new AuditFilter(ActionPrefix: "query.")).Select(e => (e.Action, e.Outcome)).ToList();
        Assert.Contains(("query.flows", AuditOutcome.Ok), audited);
        Assert.Contains(("query.profiles", AuditOutcome.Ok), audited);
        Assert.Contains(("query.coverage", AuditOutcome.Ok), audited);
        Assert.Contains(("query.flows", AuditOutcome.Refused), audited);
    }

    [Fact]
    public async Task A_state_analyst_of_a_non_contributing_state_sees_regional_sums_and_its_own_state_only()
    {
        using var channel = _hub.AnalystChannel(_hub.AddAccount("grc-analyst", Role.StateAnalyst, "GRC"));
        var trends = new Trends.TrendsClient(channel);

        Assert.NotEmpty((await trends.FlowsAsync(new FlowsRequest())).Corridors);
        Assert.Empty((await trends.CoverageAsync(new CoverageRequest())).Nodes); // its own node only, and GRC has none
        async Task Refused(Func<Task> question)
        {
            var error = await Assert.ThrowsAsync<RpcException>(question);
            Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
            Assert.Contains("GRC has not contributed", error.Status.Detail, StringComparison.Ordinal);
        }

        await Refused(async () => await trends.FlowsAsync(new FlowsRequest { States = { "ITA" } }));
        await Refused(async () => await trends.AlertsAsync(new AlertsRequest { States = { "ITA" } }));
        await Refused(async () => await trends.CoverageAsync(new CoverageRequest { States = { "ITA" } }));
        await Refused(async () => await trends.SimilarAsync(new SimilarRequest { State = "ITA" }));
        Assert.Contains(_hub.Audit.Read(new AuditFilter(Actor: "user:grc-analyst", ActionPrefix: "query.similar")), e => e.Outcome == AuditOutcome.Refused);
    }
}
