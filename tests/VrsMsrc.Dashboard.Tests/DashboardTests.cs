using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Deque.AxeCore.Playwright;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using VrsMsrc.Contracts.Security;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Audit;
using VrsMsrc.Hub.Dashboard;
using VrsMsrc.Hub.Nodes;

namespace VrsMsrc.Dashboard.Tests;

/// <summary>
/// The dashboard in a real browser against a real hub: every page's numbers equal the Trends API's answer
/// to the same question, a CSV download equals the table, unpublished cells read as such, the pages work
/// from the keyboard, and the sharing rule holds in the browser as in the API.
/// </summary>
[Trait("Category", "Dashboard")]
public sealed class DashboardTests(DashboardHub hub) : IClassFixture<DashboardHub>
{
    private readonly Trends.TrendsClient _api = new(hub.Channel());

    [Fact]
    public async Task Overview_shows_the_regional_totals_alerts_and_freshness_the_api_gives()
    {
        var page = await hub.SignedInPageAsync(DashboardHub.Regional);
        await DashboardHub.ScreenshotAsync(page, "overview");

        var totals = await _api.SeriesAsync(new SeriesRequest { Table = "totals", Measure = "migrants", Period = "year" });
        var shown = await Shown.TableAsync(page, "regional-totals");
        Assert.Equal(totals.Points.Select(p => new[] { p.Period, Shown.Text(p.Value, p.Flag) }), shown.Rows);

        var alerts = await _api.AlertsAsync(new AlertsRequest { Limit = 10 });
        Assert.NotEmpty(alerts.Alerts);
        var top = await Shown.TableAsync(page, "top-alerts");
        Assert.Equal(alerts.Alerts.Select(a => (a.State is "" ? "region" : a.State, a.Month, Shown.Text(a.Score))), top.Rows.Select(r => (r[1], r[5], r[8])));

        var coverage = await _api.CoverageAsync(new CoverageRequest());
        var freshness = await Shown.TableAsync(page, "freshness");
        Assert.Equal(DashboardHub.States, freshness.Rows.Select(r => r[0]));
        foreach (var node in coverage.Nodes)
        {
            Assert.Equal(node.LastMonth, freshness.Cell(node.State, "last month"));
            Assert.Equal(node.Months.ToString(CultureInfo.InvariantCulture), freshness.Cell(node.State, "months released"));
        }

        // On a 1024x768 projector the page reflows instead of scrolling sideways.
        await page.SetViewportSizeAsync(1024, 768);
        await DashboardHub.ScreenshotAsync(page, "overview-projector");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"));

        // Each page names its source and its caveats.
        Assert.Contains("states " + string.Join(", ", DashboardHub.States), await page.Locator(".source").InnerTextAsync());
        Assert.Contains("Detections are not persons", await page.Locator(".caveats").InnerTextAsync());
        hub.AssertNoErrors(page);
    }

    [Fact]
    public async Task Trends_pivot_equals_the_series_answer_with_suppressed_cells_as_such_and_toggles_to_quarters()
    {
        var page = await hub.SignedInPageAsync(DashboardHub.Regional);
        await DashboardHub.OpenAsync(page, "trends", "measure=migrants&by=nationality&period=month&states=ITA&from=2024-01&to=2024-12");
        await DashboardHub.ScreenshotAsync(page, "trends");
        var answer = await _api.SeriesAsync(new SeriesRequest { Measure = "migrants", By = "nationality", Period = "month", From = "2024-01", To = "2024-12", States = { "ITA" } });
        var shown = await Shown.TableAsync(page, "series");
        Assert.Equal(answer.Points.Count, shown.Rows.Sum(r => r.Count - 1));
        foreach (var point in answer.Points)
        {
            Assert.Equal(Shown.Text(point.Value, point.Flag), shown.Cell(point.Period, point.Group));
        }

        // Many nationalities are detected only a few times a month: some of their months are below the threshold.
        var suppressed = answer.Points.Where(p => p.Flag == "suppressed").ToList();
        Assert.NotEmpty(suppressed);
        var column = shown.Header.ToList().IndexOf(suppressed[0].Group) + 1;
        var cell = page.Locator("table[data-panel='series'] tbody tr").Filter(new() { HasText = suppressed[0].Period }).Locator($"td:nth-child({column})");
        Assert.Equal("suppressed", await cell.InnerTextAsync());
        Assert.Equal("suppressed", await cell.GetAttributeAsync("data-flag"));

        await page.GetByRole(AriaRole.Radio, new() { Name = "Quarter", Exact = true }).CheckAsync();
        await page.Locator("table[data-panel='series'] thead th", new() { HasText = "quarter" }).First.WaitForAsync();
        await DashboardHub.Ready(page, "trends");
        var quarters = await _api.SeriesAsync(new SeriesRequest { Measure = "migrants", By = "nationality", Period = "quarter", From = "2024-01", To = "2024-12", States = { "ITA" } });
        var byQuarter = await Shown.TableAsync(page, "series");
        Assert.Equal(quarters.Points.Select(p => p.Period).Distinct(), byQuarter.Rows.Select(r => r[0]));
        Assert.All(quarters.Points, p => Assert.Equal(Shown.Text(p.Value, p.Flag), byQuarter.Cell(p.Period, p.Group)));
        hub.AssertNoErrors(page);
    }

    [Fact]
    public async Task Csv_download_holds_exactly_the_numbers_of_the_table_and_the_api()
    {
        var page = await hub.SignedInPageAsync(DashboardHub.Regional);
        await DashboardHub.OpenAsync(page, "trends", "measure=migrants&by=corridor&period=year");
        var shown = await Shown.TableAsync(page, "series");
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#series button.csv").ClickAsync());
        var path = Path.Combine(DashboardHub.ScreenshotDir, download.SuggestedFilename);
        await download.SaveAsAsync(path);
        var lines = (await File.ReadAllLinesAsync(path)).ToList();

        Assert.Equal(string.Join(',', shown.Header), lines[0]);
        Assert.Equal(shown.Rows.Select(r => string.Join(',', r)), lines.Skip(1));
        var answer = await _api.SeriesAsync(new SeriesRequest { Measure = "migrants", By = "corridor", Period = "year" });
        var header = lines[0].Split(',');
        var fromCsv = lines.Skip(1).Select(l => l.Split(',')).SelectMany(f => f.Skip(1).Select((v, i) => (Period: f[0], Group: header[i + 1], Text: v)));
        Assert.Equal(
            answer.Points.Select(p => (p.Period, p.Group, Shown.Text(p.Value, p.Flag))).Order(),
            fromCsv.Select(c => (c.Period, c.Group, c.Text)).Order());
    }

    [Fact]
    public async Task Flows_fees_profiles_alerts_and_similar_states_show_the_api_answers()
    {
        var page = await hub.SignedInPageAsync(DashboardHub.Regional);

        await DashboardHub.OpenAsync(page, "flows", "top=15");
        await DashboardHub.ScreenshotAsync(page, "flows");
        var flows = await _api.FlowsAsync(new FlowsRequest { Top = 15 });
        Assert.NotEmpty(flows.Legs);
        Assert.Equal(flows.Legs.Select(l => new[] { l.FromCountry, l.ToCountry, Shown.Text(l.Migrants, l.Flag) }),
            (await Shown.TableAsync(page, "legs")).Rows.Select(r => r.Take(3).ToArray()));
        Assert.Equal(flows.Corridors.Select(c => new[] { c.Corridor, Shown.Text(c.Migrants, c.Flag) }),
            (await Shown.TableAsync(page, "corridors")).Rows.Select(r => r.Take(2).ToArray()));
        Assert.Equal(1, await page.Locator("#legs svg").CountAsync());

        await DashboardHub.OpenAsync(page, "fees", "fromYear=2023&toYear=2024");
        await DashboardHub.ScreenshotAsync(page, "fees");
        var fees = (await Shown.TableAsync(page, "fees")).Rows;
        var expected = new List<string[]>();
        foreach (var year in new[] { "2023", "2024" })
        {
            var answer = await _api.FeesAsync(new FeesRequest { From = $"{year}-01", To = $"{year}-12" });
            expected.AddRange(answer.Estimates.Select(e => new[]
            {
                year, e.Origin, e.Destination, e.Currency, Shown.Text(e.Reports, e.Flag),
                e.Quantiles.FirstOrDefault(q => q.Quantile == 0.5) is { } median ? Shown.Text(median.Amount) : "not estimated",
            }));
        }

        Assert.NotEmpty(expected);
        Assert.Equal(expected, fees.Select(r => r.Take(5).Append(r[6]).ToArray()));

        await DashboardHub.OpenAsync(page, "profiles", "subject=migrants");
        await DashboardHub.ScreenshotAsync(page, "profiles");
        foreach (var by in new[] { "nationality", "sex", "age_band" })
        {
            var answer = await _api.ProfilesAsync(new ProfilesRequest { Subject = "migrants", By = { by } });
            Assert.Equal(answer.Rows.Select(r => new[] { r.Dims[by], Shown.Text(r.Value, r.Flag) }),
                (await Shown.TableAsync(page, $"profile-{by}")).Rows.Select(r => r.Take(2).ToArray()));
        }

        await DashboardHub.OpenAsync(page, "profiles", "subject=smugglers");
        var roles = await _api.ProfilesAsync(new ProfilesRequest { Subject = "smugglers", By = { "role" } });
        Assert.Equal(roles.Rows.Select(r => new[] { r.Dims["role"], Shown.Text(r.Value, r.Flag) }),
            (await Shown.TableAsync(page, "profile-role")).Rows.Select(r => r.Take(2).ToArray()));

        await DashboardHub.OpenAsync(page, "alerts", "alert=1");
        await DashboardHub.ScreenshotAsync(page, "alerts");
        var alerts = await _api.AlertsAsync(new AlertsRequest { Limit = 50 });
        Assert.Equal(alerts.Alerts.Select(a => new[] { a.State is "" ? "region" : a.State, a.Table, a.Measure, a.Month, Shown.Text(a.Observed), Shown.Text(a.Upperbound) }),
            (await Shown.TableAsync(page, "alerts")).Rows.Select(r => new[] { r[1], r[2], r[3], r[5], r[6], r[7] }));
        // The first alert's series against its band: the detector's upper bound for every month, as the API
        // computes it for that series, and at the alerting month the bound the pass stored.
        var first = alerts.Alerts[0];
        var series = await Shown.TableAsync(page, "alert-series");
        Assert.Equal(Shown.Text(first.Upperbound), series.Cell(first.Month, "upper bound"));
        Assert.Equal(Shown.Text(first.Observed), series.Cell(first.Month, first.Measure));
        var from = DateOnly.ParseExact(first.Month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture).AddMonths(-23).ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var band = await _api.AlertBandAsync(new AlertBandRequest { State = first.State, Table = first.Table, Measure = first.Measure, Dims = first.Dims, From = from, To = first.Month });
        Assert.Equal(band.Months.Select(m => new[] { m.Month, Shown.Text(m.Observed, m.Flag), m.HasUpperbound ? Shown.Text(m.Upperbound) : "no bound" }),
            series.Rows.Select(r => r.Take(3).ToArray()));
        Assert.True(band.Months.Count(m => m.HasUpperbound && !m.Alarm) > 1, "the band covers ordinary months, not only the alarm");
        // Drawn as a shaded area under a dashed upper bound, beside the observed line.
        // Drawn: the band is the upper bound's area, shaded at opacity 0.2 (pages/alerts.js), in the chart's SVG.
        Assert.True(await page.Locator("#alert-series .chart svg path[fill-opacity='0.2']").CountAsync() > 0, "no shaded band in the alert's chart");
        // Asked by the page under the analyst's account, and audited like every question.
        Assert.Contains(hub.Services.GetRequiredService<IAuditLog>().Read(new AuditFilter(Actor: $"user:{DashboardHub.Regional}", ActionPrefix: "query.alert-band")),
            e => e.Outcome == AuditOutcome.Ok && e.Detail.Contains(first.Table, StringComparison.Ordinal));

        await DashboardHub.OpenAsync(page, "similar", "state=ITA");
        await DashboardHub.ScreenshotAsync(page, "similar");
        var similar = await _api.SimilarAsync(new SimilarRequest { State = "ITA", Months = 24, Top = 10 });
        Assert.NotEmpty(similar.States);
        Assert.Equal(similar.States.Select(s => new[] { s.SimilarState, s.Reason }),
            (await Shown.TableAsync(page, "similar")).Rows.Select(r => new[] { r[1], r[6] }));
        hub.AssertNoErrors(page);
    }

    [Fact]
    public async Task Operators_see_each_nodes_certificate_expiry_coverage_and_outbox_depth_reported_at_hello()
    {
        var page = await hub.SignedInPageAsync(DashboardHub.Operator);
        await DashboardHub.OpenAsync(page, "nodes");
        await DashboardHub.ScreenshotAsync(page, "nodes");
        var shown = await Shown.TableAsync(page, "nodes");
        var registry = hub.Services.GetRequiredService<INodeRegistry>().List();
        var hellos = hub.Services.GetRequiredService<INodeRegistry>().Hellos();
        Assert.Equal(DashboardHub.States, shown.Rows.Select(r => r[0]));
        foreach (var node in registry)
        {
            Assert.Equal(node.CertificateNotAfter![..10], shown.Cell(node.State, "certificate until"));
            Assert.Equal("valid", shown.Cell(node.State, "certificate"));
            // The publisher says at Hello how many releases wait: the one it is about to push.
            Assert.Equal(1, hellos[node.State].OutboxDepth);
            Assert.Equal("1", shown.Cell(node.State, "outbox depth at Hello"));
            Assert.Equal($"{hub.Months[node.State].First} to {hub.Months[node.State].Last}", shown.Cell(node.State, "months covered"));
        }

        // Analysts neither see the page nor get its data.
        var analyst = await hub.SignedInPageAsync(DashboardHub.Regional);
        Assert.Equal(0, await analyst.Locator("nav a[data-route='nodes']").CountAsync());
        var refused = await analyst.EvaluateAsync<int>(
            "async path => (await fetch(path, { headers: { authorization: 'Bearer ' + sessionStorage.getItem('vrs-token') } })).status",
            DashboardServices.NodesPath);
        Assert.Equal(403, refused);
    }

    [Fact]
    public async Task A_state_analyst_whose_state_does_not_contribute_sees_no_other_state()
    {
        var page = await hub.SignedInPageAsync(DashboardHub.NonContributor);
        await DashboardHub.ScreenshotAsync(page, "restricted-overview");
        // Regional totals are allowed; the freshness of other states is not.
        Assert.NotEmpty((await Shown.TableAsync(page, "regional-totals")).Rows);
        Assert.Empty((await Shown.TableAsync(page, "freshness")).Rows);

        await DashboardHub.OpenAsync(page, "trends", "measure=migrants&by=state&period=year");
        Assert.Contains("Not allowed", await page.Locator("p.error").InnerTextAsync());
        Assert.Equal(0, await page.Locator("table[data-panel='series']").CountAsync());

        await DashboardHub.OpenAsync(page, "trends", "measure=migrants&period=year&states=ITA");
        Assert.Contains("has not contributed", await page.Locator("p.error").InnerTextAsync());

        // Nor the band of another state's series: refused by the sharing rule, and audited as refused.
        var band = await page.EvaluateAsync<int>(
            "async () => (await fetch('/api/v1/trends/alerts/band?state=ITA&table=totals&measure=migrants', { headers: { authorization: 'Bearer ' + sessionStorage.getItem('vrs-token') } })).status");
        Assert.Equal(403, band);
        Assert.Contains(hub.Services.GetRequiredService<IAuditLog>().Read(new AuditFilter(Actor: $"user:{DashboardHub.NonContributor}", ActionPrefix: "query.alert-band")),
            e => e.Outcome == AuditOutcome.Refused);
        var text = await page.Locator("main").InnerTextAsync();
        foreach (var other in DashboardHub.States)
        {
            Assert.DoesNotContain(other, text.Replace("states=ITA", "", StringComparison.Ordinal).Replace("(--state", "", StringComparison.Ordinal), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Every_page_is_reached_and_used_from_the_keyboard()
    {
        var page = await hub.NewPageAsync();
        await page.GotoAsync(hub.Url + "/dashboard/");
        await DashboardHub.Ready(page, "login");
        // The account field has the focus; no mouse from here on.
        await page.Keyboard.TypeAsync(DashboardHub.Regional);
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync(DashboardHub.Password);
        await page.Keyboard.PressAsync("Enter");
        await DashboardHub.Ready(page, "overview");

        await TabUntilAsync(page, "nav a[data-route='trends']");
        await page.Keyboard.PressAsync("Enter");
        await DashboardHub.Ready(page, "trends");

        // A radio group is one Tab stop (its checked button, "Year"); the arrow keys choose within it.
        await TabUntilAsync(page, "#f-period-year");
        await page.Keyboard.PressAsync("ArrowLeft");
        await page.Locator("table[data-panel='series'] thead th", new() { HasText = "quarter" }).First.WaitForAsync();
        await DashboardHub.Ready(page, "trends");

        await TabUntilAsync(page, "#series button.csv");
        var download = await page.RunAndWaitForDownloadAsync(() => page.Keyboard.PressAsync("Enter"));
        Assert.EndsWith(".csv", download.SuggestedFilename, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_have_no_serious_accessibility_violations()
    {
        var page = await hub.SignedInPageAsync(DashboardHub.Regional);
        foreach (var route in new[] { "overview", "trends", "flows", "alerts" })
        {
            await DashboardHub.OpenAsync(page, route);
            var result = await page.RunAxe();
            var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{route}: {v.Id} {v.Help} ({v.Nodes.Length} nodes: {v.Nodes.FirstOrDefault()?.Html})").ToList();
            Assert.True(serious.Count == 0, string.Join("\n", serious));
        }
    }

    [Fact]
    public async Task The_bundle_is_served_on_the_analyst_listener_and_not_on_the_exchange_listener()
    {
        var ca = RegionalTrust.LoadCertificate(hub.Paths.CaCertificate);
        using var analyst = Client(ca, null);
        var page = await analyst.GetAsync(new Uri(hub.Url + "/dashboard/"));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<script type=\"module\"", html, StringComparison.Ordinal);
        // Everything the page loads comes from the hub itself: no address outside it, and the browser is told so.
        Assert.DoesNotContain("http", html, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("default-src 'self';", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        // A valid node certificate reaches the exchange listener, which serves the Exchange and nothing else.
        // SslStream on Linux presents only keys that are not ephemeral: round-trip through PKCS#12.
        using var pem = RegionalTrust.LoadWithKey(hub.Nodes["ITA"].Certificate, hub.Nodes["ITA"].Key);
        using var node = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        using var exchange = Client(ca, node);
        Assert.Equal(HttpStatusCode.NotFound, (await exchange.GetAsync(new Uri(hub.ExchangeUrl + "/dashboard/"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await exchange.GetAsync(new Uri(hub.ExchangeUrl + "/dashboard/index.html"))).StatusCode);
    }

    /// <summary>An HTTP/2 client (the exchange listener speaks nothing else) that trusts the regional CA, presenting <paramref name="certificate"/>.</summary>
    private static HttpClient Client(X509Certificate2 ca, X509Certificate2? certificate) => new(new SocketsHttpHandler
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            ClientCertificates = certificate is null ? null : [certificate],
            RemoteCertificateValidationCallback = (_, c, _, _) =>
                c is X509Certificate2 hub && RegionalTrust.ChainError(hub, ca, DateTimeOffset.UtcNow, RegionalTrust.ServerAuth) is null,
        },
    })
    {
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    /// <summary>Presses Tab until <paramref name="selector"/> has the focus (at most 80 times), as a keyboard user would.</summary>
    private static async Task TabUntilAsync(IPage page, string selector)
    {
        for (var i = 0; i < 80; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await page.EvaluateAsync<bool>("s => document.activeElement === document.querySelector(s)", selector))
            {
                return;
            }
        }

        throw new Xunit.Sdk.XunitException($"{selector} is not reached with Tab");
    }
}
