using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Playwright;
using VrsMsrc.Contracts.Security;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Accounts;
using VrsMsrc.Hub.Configuration;
using VrsMsrc.Hub.Security;
using VrsMsrc.Node.Configuration;
using VrsMsrc.Node.Setup;

using VrsMsrc.Tests.Shared;

namespace VrsMsrc.Dashboard.Tests;

/// <summary>
/// A real hub (Kestrel, TLS, its own CA) filled with the demo's data (<see cref="DemoRecords"/>) by six real
/// nodes that import, release and push over mutual TLS, with the detection pass run; its accounts; and
/// Debian's chromium driven by Playwright.
/// </summary>
public sealed class DashboardHub : IAsyncLifetime
{
    public static readonly string[] States = DemoRecords.States;
    public const string Password = "correct horse battery staple";
    public const string Regional = "regional";
    public const string Operator = "operator";

    /// <summary>A state analyst whose state (BGR, on no Frontex route of the demo) has never contributed: the sharing rule restricts them.</summary>
    public const string NonContributor = "bgr-analyst";

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("vrs-dashboard-");
    private InProcessHub _hub = null!;
    private IPlaywright _playwright = null!;
    private string _regionalToken = "";

    public string Url => _hub.AnalystUrl;
    public string ExchangeUrl => _hub.ExchangeUrl;

    /// <summary>The nodes' data directories (certificate and key among them), by state.</summary>
    internal Dictionary<string, NodePaths> Nodes { get; } = [];
    public IServiceProvider Services => _hub.Services;
    public IBrowser Browser { get; private set; } = null!;
    internal HubPaths Paths => _hub.Paths;

    /// <summary>Screenshots of every page, beside the test assembly (and so in the test output).</summary>
    public static string ScreenshotDir { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "dashboard-screenshots")).FullName;

    public async Task InitializeAsync()
    {
        _hub = await InProcessHub.StartBareAsync(_dir.CreateSubdirectory("hub"));
        var accounts = Services.GetRequiredService<AccountService>();
        accounts.Add(Regional, Role.RegionalAnalyst, null, Password, "test");
        accounts.Add(Operator, Role.Operator, null, Password, "test");
        accounts.Add(NonContributor, Role.StateAnalyst, "BGR", Password, "test");
        _regionalToken = accounts.IssueApiToken(Regional, "test", null, "test").Secret;

        var sample = _dir.CreateSubdirectory("sample").FullName;
        await DemoRecords.SplitAsync(sample);
        var pushed = DateTimeOffset.MinValue;
        foreach (var state in States)
        {
            await FillNodeAsync(state, Path.Combine(sample, $"incidents-{state}.csv"));
            pushed = DateTimeOffset.UtcNow;
        }

        await WaitForDetectionPassAfterAsync(pushed);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>The first and last month of each state's incidents, from its file.</summary>
    internal Dictionary<string, (string First, string Last)> Months { get; } = [];

    /// <summary>A node as 'vrs-node init/enrol' makes it, signed by the hub's CA; imports its incidents (and the synthetic additions), releases, pushes.</summary>
    private async Task FillNodeAsync(string state, string incidents)
    {
        var paths = NodeSetup.Init(_dir.CreateSubdirectory($"node-{state}"), state, ExchangeUrl, threshold: 10);
        NodeSetup.Enrol(paths, new FileInfo(_hub.SignAndRegister(paths.Csr, state)), new FileInfo(Paths.CaCertificate));

        Nodes[state] = paths;
        var node = new NodeContext(paths, TimeProvider.System, NullLogger.Instance);
        Months[state] = DemoRecords.MonthsOf(incidents);
        Assert.Equal(0, node.Importer().ImportFile(incidents, "incidents", null).RejectedRows);
        if (state == DemoRecords.SyntheticState)
        {
            var (legs, migrants, facilitators) = DemoRecords.SyntheticFor(state, incidents, seed: 7);
            foreach (var (kind, name, content) in new[] { ("incidents", "legs", legs), ("migrants", "migrants", migrants), ("facilitators", "facilitators", facilitators) })
            {
                var file = Path.Combine(paths.DataDir, $"{name}.csv");
                await File.WriteAllTextAsync(file, content);
                Assert.Equal(0, node.Importer().ImportFile(file, kind, null).RejectedRows);
            }
        }

        Assert.NotNull(node.Releases().Release());
        var result = await node.Publisher(maxRetries: 1, firstDelay: TimeSpan.FromMilliseconds(50)).PublishAsync(CancellationToken.None);
        Assert.Equal(1, result.Delivered);
    }

    private async Task WaitForDetectionPassAfterAsync(DateTimeOffset pushed)
    {
        var trends = new Trends.TrendsClient(Channel());
        for (var i = 0; i < 1200; i++)
        {
            var alerts = await trends.AlertsAsync(new AlertsRequest());
            if (alerts.ComputedAt is not "" && DateTimeOffset.Parse(alerts.ComputedAt, global::System.Globalization.CultureInfo.InvariantCulture) >= pushed)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("no detection pass ran after the last release");
    }

    /// <summary>The gRPC Trends API as a regional analyst: what the pages' numbers are checked against.</summary>
    public GrpcChannel Channel() => AnalystClient.Open(Url, _regionalToken, RegionalTrust.LoadCertificate(Paths.CaCertificate));

    /// <summary>A fresh browser context (own session storage), signed in through the login form as <paramref name="account"/>.</summary>
    public async Task<IPage> SignedInPageAsync(string account)
    {
        var page = await NewPageAsync();
        await page.GotoAsync(Url + "/dashboard/");
        await Ready(page, "login");
        await page.GetByLabel("Account").FillAsync(account);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Ready(page, "overview");
        return page;
    }

    public async Task<IPage> NewPageAsync()
    {
        // The hub's certificate is signed by the test's regional CA, which chromium does not know.
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            IgnoreHTTPSErrors = true, AcceptDownloads = true, ViewportSize = new ViewportSize { Width = 1366, Height = 768 }, ReducedMotion = ReducedMotion.Reduce,
        });
        var page = await context.NewPageAsync();
        var errors = _errors[page] = [];
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add($"{message.Text} at {message.Location}");
            }
        };
        page.PageError += (_, error) => errors.Add(error);
        return page;
    }

    private readonly global::System.Collections.Concurrent.ConcurrentDictionary<IPage, List<string>> _errors = new();

    /// <summary>Fails on the script errors and failed requests of a page so far.</summary>
    public void AssertNoErrors(IPage page) => Assert.True(_errors[page].Count == 0, string.Join("\n", _errors[page]));

    /// <summary>Opens a page of the dashboard (route and query) and waits until it has rendered.</summary>
    public static async Task OpenAsync(IPage page, string route, string query = "")
    {
        await page.EvaluateAsync("hash => { location.hash = hash; }", $"#/{route}{(query is "" ? "" : "?" + query)}");
        await Ready(page, route);
    }

    public static Task Ready(IPage page, string route) =>
        page.Locator($"main[data-ready='{route}']").WaitForAsync(new() { Timeout = 30_000 });

    public static async Task ScreenshotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDir, $"{name}.png"), FullPage = true });

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        await _hub.DisposeAsync();
        try
        {
            _dir.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A lingering SQLite handle on a temp folder is not worth failing a test for.
        }
    }
}
