using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using VrsMsrc.Hub.Configuration;
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

    /// <summary>A new hub on SQLite, or on the PostgreSQL database <paramref name="storage"/> names.</summary>
    public static async Task<HubProcess> StartAsync(StorageSettings? storage = null)
    {
        var dir = Directory.CreateTempSubdirectory("vrs-hubproc-");
        var settings = new HubSettings { ExchangeUrl = "https://127.0.0.1:0", AnalystUrl = "https://127.0.0.1:0", Storage = storage ?? new() };
        var hub = new HubProcess(HubSetup.Init(dir, [], settings, TimeProvider.System));
        await hub.RestartAsync();
        return hub;
    }

    /// <summary>
    /// A second process of the same hub, as an operator adds one on PostgreSQL: a copy of the data
    /// directory (settings, CA, hub certificate) serving the same database.
    /// </summary>
    public async Task<HubProcess> StartAnotherAsync()
    {
        var dir = Directory.CreateTempSubdirectory("vrs-hubproc-");
        File.Copy(Paths.Settings, Path.Combine(dir.FullName, "hub.json"));
        foreach (var file in Directory.EnumerateFiles(Paths.PkiDir, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(dir.FullName, Path.GetRelativePath(Paths.DataDir, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var hub = new HubProcess(new HubPaths(dir.FullName));
        await hub.RestartAsync();
        return hub;
    }

    /// <summary>The hub's stores, as its own commands open them (whichever database hub.json names).</summary>
    public HubStores OpenStores() => HubStores.Open(Paths, HubSettings.Load(Paths).Storage, TimeProvider.System);

    /// <summary>A read connection to the hub's database, for the delivery checker.</summary>
    public DbConnection OpenDatabase() => HubSettings.Load(Paths).Storage is { Provider: StorageSettings.Postgres } storage
        ? OpenPostgres(storage.ConnectionString!)
        : Database.Open(readOnly: true);

    private static NpgsqlConnection OpenPostgres(string connectionString)
    {
        var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        return connection;
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
        using (var stores = OpenStores())
        {
            stores.Registry.Register(issued);
        }

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
