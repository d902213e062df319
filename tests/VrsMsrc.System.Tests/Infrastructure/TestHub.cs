using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using VrsMsrc.Contracts.Security;
using VrsMsrc.Hub.Accounts;
using VrsMsrc.Hub.Audit;
using VrsMsrc.Hub.Configuration;
using VrsMsrc.Hub.Pki;
using VrsMsrc.Hub.Security;
using VrsMsrc.Hub.Serving;
using VrsMsrc.Hub.Setup;
using VrsMsrc.Hub.Storage;

namespace VrsMsrc.System.Tests.Infrastructure;

/// <summary>
/// A real hub: real Kestrel on 127.0.0.1 with ephemeral ports, real TLS, a CA and server certificate
/// made for this test run by the hub's own setup code.
/// </summary>
internal sealed class TestHub : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestHub(HubPaths paths, WebApplication app, HubListeners listeners)
    {
        Paths = paths;
        _app = app;
        Listeners = listeners;
    }

    public HubPaths Paths { get; }
    public HubListeners Listeners { get; }
    public string ExchangeUrl => $"https://localhost:{Listeners.ExchangePort}";
    public string AnalystUrl => $"https://localhost:{Listeners.AnalystPort}";
    public X509Certificate2 CaCertificate => RegionalTrust.LoadCertificate(Paths.CaCertificate);
    public HubDatabase Database => new(Paths.Database);

    public static async Task<TestHub> StartAsync()
    {
        var dir = Directory.CreateTempSubdirectory("vrs-hub-");
        var settings = new HubSettings { ExchangeUrl = "https://127.0.0.1:0", AnalystUrl = "https://127.0.0.1:0" };
        var paths = HubSetup.Init(dir, [], settings, TimeProvider.System);
        var listeners = new HubListeners();
        var app = HubServer.Build(paths, settings, TimeProvider.System, listeners, ["--Logging:LogLevel:Default=Warning"]);
        await app.StartAsync();
        return new TestHub(paths, app, listeners);
    }

    public CertificateAuthority Ca() => CertificateAuthority.Load(Paths.CaCertificate, Paths.CaKey, TimeProvider.System);

    /// <summary>Signs the node's CSR and registers it, as 'vrs-hub pki sign' does.</summary>
    public string SignAndRegister(string csrPath, string state)
    {
        var issued = Ca().SignNode(File.ReadAllText(csrPath), state);
        _app.Services.GetRequiredService<Hub.Nodes.INodeRegistry>().Register(issued);
        var path = Path.Combine(Paths.IssuedDir, $"{state}.crt");
        File.WriteAllText(path, issued.Pem);
        return path;
    }

    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// A channel to the analyst listener that trusts only the regional CA, carrying <paramref name="token"/>;
    /// without one, the token of a regional analyst made for the test.
    /// </summary>
    public GrpcChannel AnalystChannel(string? token = null) =>
        AnalystClient.Open(AnalystUrl, token ?? (_regionalToken ??= AddAccount("test-regional", Role.RegionalAnalyst, null)), CaCertificate);

    private string? _regionalToken;

    /// <summary>Creates an account as 'vrs-hub user add' does and returns an API token for it.</summary>
    public string AddAccount(string name, Role role, string? state, string password = "correct horse battery staple")
    {
        var accounts = _app.Services.GetRequiredService<AccountService>();
        accounts.Add(name, role, state, password, "test");
        return accounts.IssueApiToken(name, "test", null, "test").Secret;
    }

    public IAuditLog Audit => _app.Services.GetRequiredService<IAuditLog>();

    /// <summary>
    /// The first audit entry matching, waiting a little: a refused handshake is audited on the server's
    /// side of the connection, which may finish after the client has seen the failure.
    /// </summary>
    public async Task<AuditEntry> AuditEntryAsync(Func<AuditEntry, bool> match, string what)
    {
        for (var i = 0; i < 100; i++)
        {
            if (Audit.Read(new AuditFilter(Limit: 100_000)).FirstOrDefault(match) is { } entry)
            {
                return entry;
            }

            await Task.Delay(50);
        }

        var all = string.Join("\n", Audit.Read(new AuditFilter(Limit: 100_000)).Select(e => $"{e.Seq} {e.Actor} {e.Action} {e.Outcome} {e.Detail}"));
        throw new Xunit.Sdk.XunitException($"no audit entry for {what}; the log holds:\n{all}");
    }

    public long Count(string sql)
    {
        using var connection = Database.Open(readOnly: true);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(Paths.DataDir, recursive: true);
        }
        catch (IOException)
        {
            // A lingering SQLite handle on a temp folder is not worth failing a test for.
        }
    }
}
