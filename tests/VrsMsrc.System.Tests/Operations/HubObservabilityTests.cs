using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Grpc.Health.V1;
using Grpc.Net.Client;
using VrsMsrc.Contracts.Security;
using VrsMsrc.Hub.Accounts;
using VrsMsrc.Hub.Security;
using VrsMsrc.System.Tests.Infrastructure;

namespace VrsMsrc.System.Tests.Operations;

/// <summary>
/// A real 'vrs-hub serve' after a small demo run (a node imports, releases and pushes; an analyst
/// queries): health answers on gRPC and HTTP, and /metrics exposes every metric the operator guide names.
/// </summary>
[Trait("Category", "System")]
public sealed partial class HubObservabilityTests : IDisposable
{
    private HubProcess? _hub;
    private TestNode? _node;

    [Fact]
    public async Task Health_and_the_named_metrics_after_a_demo_run()
    {
        _hub = await HubProcess.StartAsync();
        _node = TestNode.Enrolled(_hub, "ITA");
        var (_, _, push) = await _node.ImportReleasePushAsync(400, 7);
        Assert.Equal(1, push.Delivered);

        var analystPort = int.Parse(AnalystPort().Match(string.Join('\n', _hub.Log)).Groups[1].Value, global::System.Globalization.CultureInfo.InvariantCulture);
        var admin = AdminContext.Open(_hub.Paths, TimeProvider.System);
        admin.Accounts.Add("prometheus", Role.Operator, null, "a long enough password", "test");
        admin.Accounts.Add("analyst", Role.RegionalAnalyst, null, "a long enough password", "test");
        var operatorToken = admin.Accounts.IssueApiToken("prometheus", "scrape", null, "test").Secret;
        var analystToken = admin.Accounts.IssueApiToken("analyst", "query", null, "test").Secret;

        using var ca = RegionalTrust.LoadCertificate(_hub.Paths.CaCertificate);
        using var http = TrendsOnFrontexTests.AnalystHttpClient(ca);
        http.BaseAddress = new Uri($"https://localhost:{analystPort}");

        Assert.Equal("Healthy", await http.GetStringAsync(new Uri("/healthz", UriKind.Relative)));
        using (var ready = await http.GetAsync(new Uri("/readyz", UriKind.Relative)))
        {
            Assert.Equal((HttpStatusCode.OK, "ready\n"), (ready.StatusCode, await ready.Content.ReadAsStringAsync()));
        }

        using (var channel = GrpcChannel.ForAddress(http.BaseAddress, new GrpcChannelOptions { HttpHandler = Handler(ca) }))
        {
            var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        }

        using (var query = new HttpRequestMessage(HttpMethod.Get, "/api/v1/trends/series?table=totals&measure=migrants"))
        {
            query.Headers.Authorization = new AuthenticationHeaderValue("Bearer", analystToken);
            (await http.SendAsync(query)).EnsureSuccessStatusCode();
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri("/metrics", UriKind.Relative))).StatusCode);
        using (var asAnalyst = new HttpRequestMessage(HttpMethod.Get, "/metrics"))
        {
            asAnalyst.Headers.Authorization = new AuthenticationHeaderValue("Bearer", analystToken);
            Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(asAnalyst)).StatusCode);
        }

        using var scrape = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        scrape.Headers.Authorization = new AuthenticationHeaderValue("Bearer", operatorToken);
        var metrics = await (await http.SendAsync(scrape)).EnsureSuccessStatusCode().Content.ReadAsStringAsync();

        Has(metrics, @"(?m)^vrs_hub_releases_total\{[^}]*state=""ITA""[^}]*\} 1( |$)");
        Has(metrics, @"(?m)^vrs_hub_ingest_cells_total\{[^}]*state=""ITA""[^}]*\} [1-9]");
        Has(metrics, @"(?m)^vrs_hub_audit_entries_total\{[^}]*action=""push""[^}]*outcome=""accepted""[^}]*\} 1( |$)");
        Has(metrics, @"(?m)^vrs_hub_state_lag\{[^}]*state=""ITA""");
        Has(metrics, @"(?m)^vrs_hub_state_months_covered\{[^}]*state=""ITA""[^}]*\} [1-9]");
        Has(metrics, @"(?m)^vrs_hub_state_last_release_age_seconds\{[^}]*state=""ITA""");
        Has(metrics, @"(?m)^vrs_hub_certificate_remaining_days\{[^}]*certificate=""node:ITA""[^}]*\} [1-9]");
        Has(metrics, @"(?m)^vrs_hub_certificate_remaining_days\{[^}]*certificate=""ca""");
        // Query latency and push latency: request durations by route.
        Has(metrics, @"(?m)^http_server_request_duration_seconds_count\{[^}]*http_route=""/api/v1/trends/series""");
        Has(metrics, @"(?m)^http_server_request_duration_seconds_count\{[^}]*http_route=""/vrsmsrc.v1.Exchange/Push""");

        // The log of a service whose output is not a terminal is JSON, one event per line.
        Assert.Contains(_hub.Log, l => l.StartsWith("{\"Timestamp\":", StringComparison.Ordinal) && l.Contains("\"Hub serving: exchange (mutual TLS)", StringComparison.Ordinal));
    }

    private static SocketsHttpHandler Handler(global::System.Security.Cryptography.X509Certificates.X509Certificate2 ca) => new()
    {
        SslOptions = new global::System.Net.Security.SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is global::System.Security.Cryptography.X509Certificates.X509Certificate2 c
                && RegionalTrust.ChainError(c, ca, DateTimeOffset.UtcNow, RegionalTrust.ServerAuth) is null,
        },
    };

    /// <summary>A metric line matching <paramref name="pattern"/>; on failure, shows the whole scrape.</summary>
    private static void Has(string metrics, [global::System.Diagnostics.CodeAnalysis.StringSyntax("Regex")] string pattern) =>
        Assert.True(global::System.Text.RegularExpressions.Regex.IsMatch(metrics, pattern), $"no line matches {pattern} in:\n{metrics}");

    public void Dispose()
    {
        _node?.Dispose();
        _hub?.Dispose();
    }

    [GeneratedRegex(@"analysts on port (\d+)")]
    private static partial Regex AnalystPort();
}
