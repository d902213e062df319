using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using VrsMsrc.Contracts.Security;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Accounts;
using VrsMsrc.Hub.Audit;
using VrsMsrc.Hub.Security;
using VrsMsrc.Hub.Trends;
using VrsMsrc.System.Tests.Infrastructure;

namespace VrsMsrc.System.Tests.Security;

/// <summary>
/// The security matrix at the analyst listener: accounts, lockout, tokens, the sharing rule and hostile
/// questions. Each refusal is asserted together with its audit entry.
/// </summary>
[Trait("Category", "Security")]
public sealed class AnalystSecurityTests : IAsyncLifetime
{
    private const string Password = "correct horse battery staple";
    private TestHub _hub = null!;

    public async Task InitializeAsync() => _hub = await TestHub.StartAsync();

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    private static SeriesRequest Totals(string by = "", params string[] states)
    {
        var request = new SeriesRequest { Table = "totals", Measure = "migrants", By = by, Period = "year" };
        request.States.AddRange(states);
        return request;
    }

    private async Task DeliverAsync(string state, int seed)
    {
        using var node = TestNode.Enrolled(_hub, state);
        var file = node.WriteFile("incidents.csv", SyntheticIncidents.Csv(state, 400, seed));
        node.Context.Importer().ImportFile(file, "incidents", null);
        node.Context.Releases().Release();
        Assert.Equal(1, (await node.PushAsync()).Delivered);
    }

    [Fact]
    public async Task A_node_certificate_on_the_analyst_API_grants_nothing_and_is_audited()
    {
        using var node = TestNode.Enrolled(_hub, "ITA");
        using var nodeCertificate = RegionalTrust.LoadWithKey(node.Paths.Certificate, node.Paths.Key);
        var ca = _hub.CaCertificate;
        using var channel = GrpcChannel.ForAddress(_hub.AnalystUrl, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                SslOptions = new SslClientAuthenticationOptions
                {
                    ClientCertificates = [nodeCertificate],
                    RemoteCertificateValidationCallback = (_, c, _, _) => c is X509Certificate2 hub && RegionalTrust.ChainError(hub, ca, DateTimeOffset.UtcNow, RegionalTrust.ServerAuth) is null,
                },
            },
        });
        var error = await Assert.ThrowsAsync<RpcException>(async () => await new Trends.TrendsClient(channel).SeriesAsync(Totals()));
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        await _hub.AuditEntryAsync(e => e is { Action: "access", Outcome: AuditOutcome.Refused, Actor: AuditActor.Anonymous }
            && e.Detail.Contains("no bearer token", StringComparison.Ordinal) && e.Detail.Contains("Trends", StringComparison.Ordinal), "the node on the analyst API");

        // Through the exchange listener, where its certificate is valid, the node reaches only the Exchange.
        using var exchange = Node.Exchange.HubConnection.Open(node.Paths, node.Context.Settings);
        error = await Assert.ThrowsAsync<RpcException>(async () => await new Trends.TrendsClient(exchange).SeriesAsync(Totals()));
        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
        await _hub.AuditEntryAsync(e => e is { Action: "access", Outcome: AuditOutcome.Refused } && e.Actor.StartsWith("certificate:", StringComparison.Ordinal)
            && e.Detail.Contains("not served on the exchange listener", StringComparison.Ordinal), "the node asking for trends on the exchange listener");
        Assert.DoesNotContain(_hub.Audit.Read(new AuditFilter()), e => e.Action == "query.series");
    }

    [Fact]
    public async Task Wrong_passwords_lock_the_account_and_every_attempt_is_audited()
    {
        _hub.AddAccount("bob", Role.RegionalAnalyst, null, Password);
        using var channel = _hub.AnalystChannel("none");
        var session = new Session.SessionClient(channel);

        var ok = await session.LoginAsync(new LoginRequest { Account = "bob", Password = Password });
        Assert.StartsWith(AccountService.TokenPrefix, ok.Token, StringComparison.Ordinal);

        for (var i = 1; i <= 5; i++)
        {
            var wrong = await Assert.ThrowsAsync<RpcException>(async () => await session.LoginAsync(new LoginRequest { Account = "bob", Password = "wrong password " + i }));
            Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);
        }

        // Locked: even the right password is refused now.
        var locked = await Assert.ThrowsAsync<RpcException>(async () => await session.LoginAsync(new LoginRequest { Account = "bob", Password = Password }));
        Assert.Equal(StatusCode.Unauthenticated, locked.StatusCode);
        Assert.Contains("locked", locked.Status.Detail, StringComparison.Ordinal);

        var logins = _hub.Audit.Read(new AuditFilter(Actor: "user:bob", ActionPrefix: "login"));
        Assert.Equal([AuditOutcome.Ok, .. Enumerable.Repeat(AuditOutcome.Refused, 6)], logins.Select(l => l.Outcome));
        Assert.Contains("wrong password (4 of 5)", logins[4].Detail, StringComparison.Ordinal);
        Assert.Contains("locked_until", logins[5].Detail, StringComparison.Ordinal);
        Assert.Contains("account locked until", logins[6].Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(logins, l => l.Detail.Contains("wrong password 1", StringComparison.Ordinal)); // passwords never reach the log
    }

    [Fact]
    public async Task A_revoked_token_is_refused_and_audited()
    {
        var token = _hub.AddAccount("carol", Role.RegionalAnalyst, null);
        using var channel = _hub.AnalystChannel(token);
        var trends = new Trends.TrendsClient(channel);
        await trends.SeriesAsync(Totals());

        var id = AccountService.Hash(token)[..12];
        var (exit, _, stderr) = await HubCli.RunAsync("user", "revoke-token", id, "--data-dir", _hub.Paths.DataDir);
        Assert.True(exit == 0, stderr);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await trends.SeriesAsync(Totals()));
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        await _hub.AuditEntryAsync(e => e is { Action: "token.revoke", Outcome: AuditOutcome.Ok } && e.Detail.Contains(id, StringComparison.Ordinal), "the revocation");
        await _hub.AuditEntryAsync(e => e is { Action: "access", Outcome: AuditOutcome.Refused } && e.Detail.Contains($"token {id} was revoked", StringComparison.Ordinal),
            "the revoked token's call");
        Assert.Single(_hub.Audit.Read(new AuditFilter(Actor: "user:carol", ActionPrefix: "query")));
    }

    [Fact]
    public async Task A_disabled_account_loses_its_tokens_and_its_logins()
    {
        var token = _hub.AddAccount("dave", Role.RegionalAnalyst, null, Password);
        var (exit, _, stderr) = await HubCli.RunAsync("user", "disable", "dave", "--data-dir", _hub.Paths.DataDir);
        Assert.True(exit == 0, stderr);

        using var channel = _hub.AnalystChannel(token);
        var error = await Assert.ThrowsAsync<RpcException>(async () => await new Trends.TrendsClient(channel).SeriesAsync(Totals()));
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        await Assert.ThrowsAsync<RpcException>(async () => await new Session.SessionClient(channel).LoginAsync(new LoginRequest { Account = "dave", Password = Password }));
        await _hub.AuditEntryAsync(e => e is { Action: "login", Outcome: AuditOutcome.Refused, Actor: "user:dave" } && e.Detail.Contains("disabled", StringComparison.Ordinal), "the disabled login");
        await _hub.AuditEntryAsync(e => e is { Action: "user.disable" }, "the operator's act");
    }

    [Fact]
    public async Task A_state_analyst_of_a_non_contributing_state_is_refused_other_states_series_and_audited()
    {
        await DeliverAsync("ITA", 11);
        var grcToken = _hub.AddAccount("grc-analyst", Role.StateAnalyst, "GRC");
        using var channel = _hub.AnalystChannel(grcToken);
        var trends = new Trends.TrendsClient(channel);

        var byState = await Assert.ThrowsAsync<RpcException>(async () => await trends.SeriesAsync(Totals("state")));
        Assert.Equal(StatusCode.PermissionDenied, byState.StatusCode);
        var italy = await Assert.ThrowsAsync<RpcException>(async () => await trends.SeriesAsync(Totals("", "ITA")));
        Assert.Equal(StatusCode.PermissionDenied, italy.StatusCode);
        Assert.Contains("GRC has not contributed a release in the last 12 months", italy.Status.Detail, StringComparison.Ordinal);
        var refusals = _hub.Audit.Read(new AuditFilter(Actor: "user:grc-analyst", ActionPrefix: "query"));
        Assert.Equal(2, refusals.Count);
        Assert.All(refusals, r => Assert.Equal(AuditOutcome.Refused, r.Outcome));
        Assert.Contains("\"states\":[\"ITA\"]", refusals[1].Detail, StringComparison.Ordinal);

        // What remains: the own state's data and regional totals without a per-state breakdown.
        var own = await trends.SeriesAsync(Totals("", "GRC"));
        Assert.All(own.Points, p => Assert.Equal(SeriesEngine.Missing, p.Flag));
        var regional = await trends.SeriesAsync(Totals());
        Assert.Contains(regional.Points, p => p.Flag == "" && p.Value > 0);
        var who = await new Session.SessionClient(channel).WhoAmIAsync(new WhoAmIRequest());
        Assert.False(who.SeesAllStates);

        // Once GRC contributes, the rule lets its analyst see the others.
        await DeliverAsync("GRC", 12);
        var both = await trends.SeriesAsync(Totals("state"));
        Assert.Equal(["GRC", "ITA"], both.States);
    }

    public static TheoryData<string, string> HostileParameters => new()
    {
        { "table", "corridors'; DROP TABLE cells; --" },
        { "measure", "migrants' OR '1'='1" },
        { "by", "corridor; DELETE FROM audit" },
        { "period", "year'--" },
        { "from", "2024-01' OR 1=1 --" },
        { "to", "../../../../etc/passwd" },
        { "state", "ITA' OR 'x'='x" },
        { "where", "corridor) OR (1=1=x" },
        { "where", "corridor=x' OR '1'='1" },
        { "where", "corridor=../../hub.db" },
    };

    [Theory]
    [MemberData(nameof(HostileParameters))]
    public async Task Injection_attempts_in_every_query_parameter_are_refused_and_audited(string parameter, string value)
    {
        await DeliverAsync("ITA", 13);
        var cells = _hub.Count("SELECT COUNT(*) FROM cells");
        var request = new SeriesRequest { Table = "corridors", Measure = "migrants", By = "corridor", Period = "year" };
        switch (parameter)
        {
            case "table": request.Table = value; break;
            case "measure": request.Measure = value; break;
            case "by": request.By = value; break;
            case "period": request.Period = value; break;
            case "from": request.From = value; break;
            case "to": request.To = value; break;
            case "state": request.States.Add(value); break;
            default: request.Where.Add(value); break;
        }

        using var channel = _hub.AnalystChannel();
        var error = await Assert.ThrowsAsync<RpcException>(async () => await new Trends.TrendsClient(channel).SeriesAsync(request));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);

        var entry = Assert.Single(_hub.Audit.Read(new AuditFilter(ActionPrefix: "query")));
        Assert.Equal(AuditOutcome.Refused, entry.Outcome);
        using var detail = JsonDocument.Parse(entry.Detail);
        var recorded = detail.RootElement.GetProperty(parameter switch { "state" => "states", _ => parameter });
        Assert.Equal(value, recorded.ValueKind == JsonValueKind.Array ? recorded[0].GetString() : recorded.GetString());
        Assert.Equal(cells, _hub.Count("SELECT COUNT(*) FROM cells"));
        Assert.True(_hub.Audit.Verify().Intact);
    }

    [Fact]
    public async Task Huge_ranges_and_oversized_questions_are_refused_and_audited()
    {
        using var channel = _hub.AnalystChannel();
        var trends = new Trends.TrendsClient(channel);
        var wide = Totals();
        wide.From = "0001-01";
        wide.To = "9999-12";
        var error = await Assert.ThrowsAsync<RpcException>(async () => await trends.SeriesAsync(wide));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("at most 1200", error.Status.Detail, StringComparison.Ordinal);

        var many = Totals();
        many.States.AddRange(Enumerable.Range(0, 50_000).Select(_ => "ITA"));
        error = await Assert.ThrowsAsync<RpcException>(async () => await trends.SeriesAsync(many));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);

        var refused = _hub.Audit.Read(new AuditFilter(ActionPrefix: "query"));
        Assert.Equal(2, refused.Count);
        Assert.All(refused, r => Assert.Equal(AuditOutcome.Refused, r.Outcome));
    }

    [Fact]
    public async Task Path_traversal_in_export_names_is_refused_and_audited()
    {
        await DeliverAsync("ITA", 14);
        var token = _hub.AddAccount("erin", Role.RegionalAnalyst, null);
        var ca = _hub.CaCertificate;
        using var http = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, c, _, _) => c is X509Certificate2 hub && RegionalTrust.ChainError(hub, ca, DateTimeOffset.UtcNow, RegionalTrust.ServerAuth) is null,
            },
        });
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var url = $"{_hub.AnalystUrl}{SeriesExport.Path}?table=corridors&measure=migrants&by=corridor&period=year&name=";

        foreach (var name in new[] { "../../etc/passwd", "..%2F..%2Fhub.db", "/etc/passwd", "a\\..\\b", "series..csv" })
        {
            using var response = await http.GetAsync(url + name);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        var refusals = _hub.Audit.Read(new AuditFilter(Actor: "user:erin", ActionPrefix: "export"));
        Assert.Equal(5, refusals.Count);
        Assert.All(refusals, r => Assert.Equal(AuditOutcome.Refused, r.Outcome));
        Assert.Contains("../../etc/passwd", refusals[0].Detail, StringComparison.Ordinal);

        using var good = await http.GetAsync(url + "italy-corridors");
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.Equal("italy-corridors.csv", good.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.StartsWith("period,group,value,flag", await good.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await _hub.AuditEntryAsync(e => e is { Action: "query.series", Outcome: AuditOutcome.Ok, Actor: "user:erin" }, "the export's query");

        // Without a token the export is refused like every analyst endpoint.
        using var anonymous = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, c, _, _) => c is X509Certificate2 hub && RegionalTrust.ChainError(hub, ca, DateTimeOffset.UtcNow, RegionalTrust.ServerAuth) is null,
            },
        });
        using var refused = await anonymous.GetAsync(url + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task Queries_are_audited_with_who_what_and_how_many_rows()
    {
        await DeliverAsync("ITA", 15);
        var token = _hub.AddAccount("frank", Role.StateAnalyst, "ITA");
        using var channel = _hub.AnalystChannel(token);
        var response = await new Trends.TrendsClient(channel).SeriesAsync(Totals("state"));

        var entry = Assert.Single(_hub.Audit.Read(new AuditFilter(Actor: "user:frank", ActionPrefix: "query")));
        Assert.Equal(AuditOutcome.Ok, entry.Outcome);
        using var detail = JsonDocument.Parse(entry.Detail);
        Assert.Equal("totals", detail.RootElement.GetProperty("table").GetString());
        Assert.Equal("state", detail.RootElement.GetProperty("by").GetString());
        Assert.Equal(response.Points.Count, detail.RootElement.GetProperty("rows").GetInt32());
    }

    [Fact]
    public async Task The_query_CLI_asks_a_running_hub_with_a_token_and_is_refused_without_a_valid_one()
    {
        await DeliverAsync("ITA", 16);
        var token = _hub.AddAccount("gina", Role.RegionalAnalyst, null);
        string[] question = ["query", "series", "--url", _hub.AnalystUrl, "--ca", _hub.Paths.CaCertificate,
            "--table", "totals", "--measure", "migrants", "--by", "state", "--period", "year", "--format", "csv"];

        var (exit, stdout, stderr) = await HubCli.RunAsync([.. question, "--token", token]);
        Assert.True(exit == 0, stderr);
        Assert.StartsWith("period,group,value,flag", stdout, StringComparison.Ordinal);
        Assert.Contains(",ITA,", stdout, StringComparison.Ordinal);
        await _hub.AuditEntryAsync(e => e is { Action: "query.series", Outcome: AuditOutcome.Ok, Actor: "user:gina" }, "the remote query");

        (exit, _, stderr) = await HubCli.RunAsync([.. question, "--token", "vrs_not-a-token"]);
        Assert.Equal(3, exit);
        Assert.Contains("Unauthenticated", stderr, StringComparison.Ordinal);
        await _hub.AuditEntryAsync(e => e is { Action: "access", Outcome: AuditOutcome.Refused } && e.Detail.Contains("unknown token", StringComparison.Ordinal),
            "the call with a made-up token");
    }
}
