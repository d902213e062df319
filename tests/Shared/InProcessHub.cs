using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using VrsMsrc.Hub.Configuration;
using VrsMsrc.Hub.Pki;
using VrsMsrc.Hub.Serving;
using VrsMsrc.Hub.Setup;

namespace VrsMsrc.Tests.Shared;

/// <summary>
/// A real hub in this process, made and served by the hub's own setup and server code: Kestrel on
/// 127.0.0.1 with ephemeral ports, real mutual TLS, a CA and server certificate made for this run.
/// The system tests (TestHub) and the benchmarks (BenchHub) add what each needs on top; the dashboard
/// tests use it as it is.
/// </summary>
#pragma warning disable CA1852 // Linked into several test projects: the system tests and benchmarks derive from it, the dashboard tests do not.
internal class InProcessHub : IAsyncDisposable
#pragma warning restore CA1852
{
    private readonly WebApplication _app;

    protected InProcessHub((HubPaths Paths, WebApplication App, HubListeners Listeners) started)
    {
        (Paths, _app, Listeners) = started;
    }

    public HubPaths Paths { get; }
    public HubListeners Listeners { get; }
    public string ExchangeUrl => $"https://localhost:{Listeners.ExchangePort}";
    public string AnalystUrl => $"https://localhost:{Listeners.AnalystPort}";
    public IServiceProvider Services => _app.Services;

    /// <summary>A hub initialised in <paramref name="dir"/> and serving, with nothing added.</summary>
    public static async Task<InProcessHub> StartBareAsync(DirectoryInfo dir) => new(await LaunchAsync(dir));

    /// <summary>Initialises a hub in <paramref name="dir"/> as 'vrs-hub init' does and starts it, logging warnings only.</summary>
    protected static async Task<(HubPaths, WebApplication, HubListeners)> LaunchAsync(DirectoryInfo dir)
    {
        var settings = new HubSettings { ExchangeUrl = "https://127.0.0.1:0", AnalystUrl = "https://127.0.0.1:0" };
        var paths = HubSetup.Init(dir, [], settings, TimeProvider.System);
        var listeners = new HubListeners();
        var app = HubServer.Build(paths, settings, TimeProvider.System, listeners, ["--Logging:LogLevel:Default=Warning"]);
        await app.StartAsync();
        return (paths, app, listeners);
    }

    public CertificateAuthority Ca() => CertificateAuthority.Load(Paths.CaCertificate, Paths.CaKey, TimeProvider.System);

    /// <summary>Signs the node's CSR and registers the node, as 'vrs-hub pki sign' does; returns the certificate's path.</summary>
    public string SignAndRegister(string csrPath, string state)
    {
        var issued = Ca().SignNode(File.ReadAllText(csrPath), state);
        Services.GetRequiredService<Hub.Nodes.INodeRegistry>().Register(issued);
        var path = Path.Combine(Paths.IssuedDir, $"{state}.crt");
        File.WriteAllText(path, issued.Pem);
        return path;
    }

    public virtual async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
