using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using VrsMsrc.Node.Configuration;
using VrsMsrc.Node.Ingest;
using VrsMsrc.Node.Outbox;
using VrsMsrc.Node.Setup;

namespace VrsMsrc.System.Tests;

/// <summary>The node's ingest API on a real Kestrel listener, as a case-management system would call it.</summary>
[Trait("Category", "System")]
public sealed class IngestApiTests : IAsyncLifetime, IDisposable
{
    private NodeContext _node = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private string _key = "";

    public async Task InitializeAsync()
    {
        var dir = Directory.CreateTempSubdirectory("vrs-node-api-");
        var paths = NodeSetup.Init(dir, "ESP", hubUrl: null, threshold: 10, ingestUrl: "http://127.0.0.1:0");
        _node = new NodeContext(paths, TimeProvider.System, NullLogger.Instance);
        _key = new ApiKeys(_node.Database, _node.Time).Add("case-system");
        _app = ServeCommand.Build(_node, ["--Logging:LogLevel:Default=Warning"]);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _http = new HttpClient { BaseAddress = new Uri(address) };
    }

    public void Dispose() => _http.Dispose();

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_node.Paths.DataDir, recursive: true);
    }

    private async Task<HttpResponseMessage> PostAsync(string kind, object body, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/ingest/{kind}") { Content = JsonContent.Create(body) };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return await _http.SendAsync(request);
    }

    [Fact]
    public async Task A_batch_gets_the_same_validation_as_a_file_and_an_answer_per_row()
    {
        var rows = new object[]
        {
            new { @ref = "api-1", detected_on = "2025-01-10", border_type = "sea", corridor = "western_african", nationality = "SEN", migrants = 40 },
            new { @ref = "api-2", detected_on = "2025-01-11", border_type = "boat", nationality = "QQQ" },
            new { @ref = "api-3", detected_on = "2025-01-12", notes = "free text about a person" },
        };
        using var response = await PostAsync("incidents", rows, _key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = answer.RootElement;
        Assert.Equal((1, 2), (root.GetProperty("stored").GetInt32(), root.GetProperty("rejected").GetInt32()));
        var perRow = root.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(["accepted", "rejected", "rejected"], perRow.Select(r => r.GetProperty("status").GetString()));
        Assert.Equal(["border_type", "nationality"], perRow[1].GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("field").GetString()).Order());
        Assert.Equal("notes", perRow[2].GetProperty("problems")[0].GetProperty("field").GetString());

        using var connection = _node.Database.Open(readOnly: true);
        Assert.Equal(["api-1"], connection.Query<string>("SELECT ref FROM incidents"));
        var migrants = await PostAsync("migrants", new { rows = new[] { new { incident_ref = "api-1", nationality = "SEN", count = 40 } } }, _key);
        Assert.Equal(HttpStatusCode.OK, migrants.StatusCode);
        Assert.Equal(40L, connection.ExecuteScalar<long>("SELECT SUM(count) FROM migrants"));
    }

    [Fact]
    public async Task Requests_without_a_live_key_are_refused_and_store_nothing()
    {
        var row = new[] { new { @ref = "x", detected_on = "2025-01-01" } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync("incidents", row, null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync("incidents", row, "vrsk_not-a-key")).StatusCode);

        Assert.True(new ApiKeys(_node.Database, _node.Time).Revoke("case-system"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync("incidents", row, _key)).StatusCode);

        using var connection = _node.Database.Open(readOnly: true);
        Assert.Equal(0L, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM incidents"));
    }

    [Fact]
    public async Task Malformed_bodies_and_unknown_kinds_get_clear_errors()
    {
        using var bad = new HttpRequestMessage(HttpMethod.Post, "/v1/ingest/incidents") { Content = new StringContent("{not json") };
        bad.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _key);
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.SendAsync(bad)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync("persons", Array.Empty<object>(), _key)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync("incidents", new { rows = 5 }, _key)).StatusCode);
    }
}
