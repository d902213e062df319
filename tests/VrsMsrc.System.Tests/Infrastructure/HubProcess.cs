using System.Globalization;
using System.Text.RegularExpressions;
using VrsMsrc.Hub.Configuration;
using VrsMsrc.Hub.Nodes;
using VrsMsrc.Hub.Pki;
using VrsMsrc.Hub.Setup;
using VrsMsrc.Hub.Storage;

namespace VrsMsrc.System.Tests.Infrastructure;

/// <summary>
/// A hub data directory made by the hub's own setup code, served by a real 'vrs-hub serve' process that
/// can be killed with SIGKILL and started again on the same data. Each start takes a free port.
/// </summary>
internal sealed partial class HubProcess : IHubUnderTest, IDisposable
{
    private ServiceProcess? _process;

    private HubProcess(HubPaths paths) => Paths = paths;

    public HubPaths Paths { get; }

    public HubDatabase Database => new(Paths.Database);

    public int ExchangePort { get; private set; }

    public string ExchangeUrl => $"https://localhost:{ExchangePort}";

    /// <summary>Everything the hub printed since its last start.</summary>
    public IReadOnlyList<string> Log => _process?.Output ?? [];

    /// <summary>Output of earlier runs, kept across kills for the test's report.</summary>
    public List<string> EarlierLogs { get; } = [];

    public static async Task<HubProcess> StartAsync()
    {
        var dir = Directory.CreateTempSubdirectory("vrs-hubproc-");
        var settings = new HubSettings { ExchangeUrl = "https://127.0.0.1:0", AnalystUrl = "https://127.0.0.1:0" };
        var hub = new HubProcess(HubSetup.Init(dir, [], settings, TimeProvider.System));
        await hub.RestartAsync();
        return hub;
    }

    public async Task RestartAsync()
    {
        if (_process is { } old)
        {
            EarlierLogs.AddRange(old.Output);
            old.Dispose();
        }

        _process = ServiceProcess.Start("vrs-hub", "serve", "--data-dir", Paths.DataDir);
        var serving = await _process.WaitForLineAsync(l => ServingLine().IsMatch(l), TimeSpan.FromSeconds(30));
        ExchangePort = int.Parse(ServingLine().Match(serving).Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>SIGKILL, wherever the hub is: mid-handshake, mid-stream or mid-transaction.</summary>
    public void Kill() => _process?.Kill();

    public Task<string> WaitForLogAsync(string text, TimeSpan timeout) =>
        (_process ?? throw new InvalidOperationException("not started")).WaitForLineAsync(l => l.Contains(text, StringComparison.Ordinal), timeout);

    public string SignAndRegister(string csrPath, string state)
    {
        var issued = CertificateAuthority.Load(Paths.CaCertificate, Paths.CaKey, TimeProvider.System).SignNode(File.ReadAllText(csrPath), state);
        new SqliteNodeRegistry(Database, TimeProvider.System).Register(issued);
        var path = Path.Combine(Paths.IssuedDir, $"{state}.crt");
        File.WriteAllText(path, issued.Pem);
        return path;
    }

    public void Dispose()
    {
        _process?.Dispose();
        try
        {
            Directory.Delete(Paths.DataDir, recursive: true);
        }
        catch (IOException)
        {
            // See TestHub.DisposeAsync.
        }
    }

    [GeneratedRegex(@"Hub serving: exchange \(mutual TLS\) on port (\d+)")]
    private static partial Regex ServingLine();
}
