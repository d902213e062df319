using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Dapper;
using VrsMsrc.Contracts.Security;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Accounts;
using VrsMsrc.System.Tests.Infrastructure;

namespace VrsMsrc.System.Tests;

/// <summary>
/// The real Frontex monthly detections spread over six nodes as in the demo (deploy/sample-data): each node
/// imports, releases and pushes over mutual TLS; the hub's detection pass runs by itself after the
/// releases are applied, and its alerts include the movements the data are known for (shared/data/README).
/// Frontex data: "Detections of irregular border-crossings", reproduction authorised with acknowledgement.
/// </summary>
[Trait("Category", "System")]
[Collection(Heavy)]
public sealed class TrendsOnFrontexTests : IAsyncLifetime
{
    /// <summary>Six imports and a detection pass keep both cores busy: alone, they neither slow nor are slowed by other tests.</summary>
    public const string Heavy = "heavy";

    private static readonly string[] States = ["ESP", "GRC", "HRV", "ITA", "POL", "ROU"];

    private readonly DirectoryInfo _sample = Directory.CreateTempSubdirectory("vrs-frontex-");
    private readonly List<TestNode> _nodes = [];
    private TestHub _hub = null!;

    public async Task InitializeAsync()
    {
        _hub = await TestHub.StartAsync();
        var repo = Repository();
        var split = Process.Start(new ProcessStartInfo("bash")
        {
            ArgumentList =
            {
                Path.Combine(repo, "deploy", "sample-data", "frontex-to-incidents.sh"),
                Path.Combine(repo, "deploy", "sample-data", "frontex_ibc_monthly_2009-2025.csv"),
                _sample.FullName,
            },
            RedirectStandardError = true,
        })!;
        await split.WaitForExitAsync();
        Assert.True(split.ExitCode == 0, await split.StandardError.ReadToEndAsync());
        _nodes.AddRange(States.Select(s => TestNode.Enrolled(_hub, s)));
    }

    public async Task DisposeAsync()
    {
        _nodes.ForEach(n => n.Dispose());
        await _hub.DisposeAsync();
        _sample.Delete(recursive: true);
    }

    [Fact]
    public async Task Alerts_after_ingest_include_the_known_movements_and_are_served_as_grpc_and_json()
    {
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(_nodes.Select(node => Task.Run(async () =>
        {
            var file = Path.Combine(_sample.FullName, $"incidents-{node.Context.Settings.State}.csv");
            var summary = node.Context.Importer().ImportFile(file, "incidents", null);
            Assert.Equal(0, summary.RejectedRows);
            Assert.NotNull(node.Context.Releases().Release());
            Assert.Equal(1, (await node.PushAsync()).Delivered);
        })));

        // No one asks for a pass: the hub runs it after the releases are applied. A pass names the states
        // whose releases it was woken for, and the last pass sees every release woken for until then.
        while (!States.All(PassesWokenBy().Contains))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(55), $"no detection pass over all releases after {clock.Elapsed}");
            await Task.Delay(250);
        }

        using var channel = _hub.AnalystChannel();
        var trends = new Trends.TrendsClient(channel);
        var all = (await trends.AlertsAsync(new AlertsRequest { From = "2009-01", To = "2025-12", Limit = 100_000 })).Alerts;

        // Eastern land borders (Belarus), 2021: Poland's route, in the summer.
        Assert.Contains(all, a => a is { State: "POL", Table: "corridors", Dims: "corridor=eastern_borders" } && a.Month is "2021-07" or "2021-08");
        // Western African route (Canary Islands), from late 2019 into the 2020 jump.
        Assert.Contains(all, a => a is { State: "ESP", Table: "corridors", Dims: "corridor=western_african" } && string.CompareOrdinal(a.Month, "2019-09") >= 0 && string.CompareOrdinal(a.Month, "2019-12") <= 0);
        Assert.Contains(all, a => a is { State: "ESP", Table: "corridors", Dims: "corridor=western_african", Month: "2020-11" });
        // Eastern Mediterranean and Western Balkans, 2015.
        Assert.Contains(all, a => a is { State: "GRC", Table: "totals" } && a.Month.StartsWith("2015-", StringComparison.Ordinal));
        Assert.Contains(all, a => a is { State: "HRV", Table: "totals" } && a.Month.StartsWith("2015-", StringComparison.Ordinal));

        // Ranked: in 2021 Poland's route is on the first screen.
        var in2021 = await trends.AlertsAsync(new AlertsRequest { From = "2021-01", To = "2021-12", Limit = 10 });
        Assert.Contains(in2021.Alerts, a => a.State == "POL");
        Assert.Equal(in2021.Alerts.OrderByDescending(a => a.Score).Select(a => a.Score), in2021.Alerts.Select(a => a.Score));

        // The same engine answers in JSON.
        using var http = AnalystHttpClient(_hub.CaCertificate);
        http.DefaultRequestHeaders.Authorization = new("Bearer", _hub.AddAccount("json-reader", Role.RegionalAnalyst, null));
        using var json = JsonDocument.Parse(await http.GetStringAsync(new Uri($"{_hub.AnalystUrl}/api/v1/trends/alerts?from=2021-07&to=2021-07&states=POL&limit=50")));
        Assert.Contains(json.RootElement.GetProperty("alerts").EnumerateArray(),
            a => a.GetProperty("dims").GetString() == "corridor=eastern_borders" && a.GetProperty("method").GetString() == "farrington");
        using var series = JsonDocument.Parse(await http.GetStringAsync(new Uri($"{_hub.AnalystUrl}/api/v1/trends/series?measure=migrants&by=corridor&period=year&from=2021-01&to=2021-12")));
        Assert.Equal("corridors", series.RootElement.GetProperty("table").GetString());
        var eastern = series.RootElement.GetProperty("points").EnumerateArray().Single(p => p.GetProperty("group").GetString() == "eastern_borders");
        Assert.InRange(eastern.GetProperty("value").GetInt64(), 7800, 8300); // Frontex: 8,184 in 2021

        var similar = await trends.SimilarAsync(new SimilarRequest { State = "ESP", Months = 60 });
        Assert.Equal(5, similar.States.Count);
        Assert.All(similar.States, s => Assert.False(string.IsNullOrEmpty(s.Reason)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
    }

    private HashSet<string> PassesWokenBy()
    {
        using var connection = _hub.Database.Open(readOnly: true);
        return connection.Query<string>("SELECT trigger FROM alert_runs").SelectMany(t => t.Split(' ')).ToHashSet();
    }

    /// <summary>An HTTP/1.1 client to the analyst listener that trusts only the regional CA.</summary>
    internal static HttpClient AnalystHttpClient(X509Certificate2 ca) => new(new SocketsHttpHandler
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                certificate is X509Certificate2 c && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0
                && RegionalTrust.ChainError(c, ca, DateTimeOffset.UtcNow, RegionalTrust.ServerAuth) is null,
        },
    });

    private static string Repository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "VrsMsrc.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("the repository (VrsMsrc.sln) is not above the test's folder");
    }
}

[CollectionDefinition(TrendsOnFrontexTests.Heavy, DisableParallelization = true)]
public sealed class HeavyTests;
