using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dapper;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using VrsMsrc.Contracts;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Configuration;
using VrsMsrc.Hub.Pki;
using VrsMsrc.Hub.Security;
using VrsMsrc.Hub.Serving;
using VrsMsrc.Hub.Setup;
using VrsMsrc.Node.Configuration;
using VrsMsrc.Node.Exchange;
using VrsMsrc.Node.Outbox;
using VrsMsrc.Node.Release;
using VrsMsrc.Node.Setup;
using VrsMsrc.Tests.Shared;

namespace VrsMsrc.Benchmarks.Scenarios;

/// <summary>
/// A real hub as the system tests start it (InProcessHub, shared with TestHub). Nodes are made by the
/// node's own init and enrol.
/// </summary>
internal sealed class BenchHub : InProcessHub
{
    /// <summary>Fifty reporting states with real ISO3 codes, so the hub's checks treat them as it would real nodes.</summary>
    public static readonly string[] States =
    [
        "ITA", "GRC", "ESP", "DEU", "FRA", "AUT", "BEL", "NLD", "PRT", "POL", "HUN", "HRV", "SVN", "BGR", "ROU", "CYP", "MLT", "SWE", "DNK", "FIN",
        "NOR", "CHE", "IRL", "CZE", "SVK", "LTU", "LVA", "EST", "LUX", "SRB", "ALB", "MKD", "MNE", "BIH", "TUR", "MAR", "TUN", "EGY", "JOR", "LBN",
        "AUS", "THA", "MYS", "IDN", "PHL", "VNM", "KHM", "LAO", "NZL", "SGP",
    ];

    private BenchHub((HubPaths, WebApplication, HubListeners) started)
        : base(started)
    {
    }

    public X509Certificate2 ServerCertificate => Services.GetRequiredService<HubCertificateSource>().Certificate;

    public static async Task<BenchHub> StartAsync(DirectoryInfo dir) => new(await LaunchAsync(dir));

    /// <summary>A node enrolled at this hub, as 'vrs-node init', 'vrs-hub pki sign' and 'vrs-node enrol' make it.</summary>
    public NodeContext Enrol(DirectoryInfo dir, string state)
    {
        var paths = NodeSetup.Init(dir, state, ExchangeUrl, 10);
        NodeSetup.Enrol(paths, new FileInfo(SignAndRegister(paths.Csr, state)), new FileInfo(Paths.CaCertificate));
        return new NodeContext(paths, TimeProvider.System, NullLogger.Instance);
    }

    /// <summary>
    /// Waits (up to a minute) until the hub's alert refresher has finished a pass that started after
    /// <paramref name="since"/>, the time the last measured ingest had been applied: the refresher starts a
    /// pass two seconds after an ingest, and it would otherwise share the two cores with whatever is measured
    /// next. A pass that merely finished later could have started before that ingest, leaving another to run.
    /// </summary>
    public async Task WaitForDetectionAsync(DateTimeOffset since)
    {
        var alerts = Services.GetRequiredService<Hub.Trends.Alerts.IAlertStore>();
        for (var i = 0; i < 600 && !(alerts.LastRun()?.StartedAt > since); i++)
        {
            await Task.Delay(100);
        }
    }
}

/// <summary>
/// The ceiling for push: a gRPC service of our own that only counts the bytes of a client stream, on
/// Kestrel on loopback with the hub's certificate and a required client certificate (mutual TLS, same
/// protocols), called through the node's own channel (HubConnection) with the same chunks. Whatever the
/// hub does beyond moving bytes (validation, parsing, storage) is what the ratio measures.
/// </summary>
internal sealed class CountingServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private CountingServer(WebApplication app, int port)
    {
        _app = app;
        Url = $"https://localhost:{port}";
    }

    public string Url { get; }

    public static async Task<CountingServer> StartAsync(X509Certificate2 serverCertificate)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = 4 << 20);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // The hub's transport, windows included: the ceiling costs what the push's transport costs.
            VrsMsrc.Hub.Exchange.ExchangeListener.ConfigureWindows(kestrel.Limits);
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = serverCertificate,
                    ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                    SslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13,
                    // The node's certificate is signed by the regional CA; checking its chain is the hub's work, not the wire's.
                    ClientCertificateValidation = (_, _, _) => true,
                });
            });
        });
        var app = builder.Build();
        app.MapGrpcService<CountingExchange>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new CountingServer(app, new Uri(address).Port);
    }

    /// <summary>Streams <paramref name="payload"/> in the node's chunk size, wrapped as the node wraps it, over a fresh node channel and waits for the reply.</summary>
    public async Task SendAsync(NodeContext node, byte[] payload, string releaseId, string sha256Hex)
    {
        using var channel = HubConnection.Open(node.Paths, node.Settings, Url);
        var client = new Exchange.ExchangeClient(channel);
        using var call = client.Push();
        for (var offset = 0; offset == 0 || offset < payload.Length; offset += Protocol.ChunkBytes)
        {
            var chunk = new PushChunk { Data = UnsafeByteOperations.UnsafeWrap(payload.AsMemory(offset, Math.Min(Protocol.ChunkBytes, payload.Length - offset))) };
            if (offset == 0)
            {
                chunk.ReleaseId = releaseId;
                chunk.Sha256 = ByteString.CopyFrom(Convert.FromHexString(sha256Hex));
                chunk.TotalBytes = payload.Length;
            }

            await call.RequestStream.WriteAsync(chunk);
        }

        await call.RequestStream.CompleteAsync();
        var receipt = await call.ResponseAsync;
        if (receipt.ReleaseId != releaseId)
        {
            throw new InvalidOperationException("the counting server lost bytes");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class CountingExchange : Exchange.ExchangeBase
    {
        public override async Task<PushReceipt> Push(IAsyncStreamReader<PushChunk> requestStream, ServerCallContext context)
        {
            long bytes = 0;
            string id = "";
            while (await requestStream.MoveNext(context.CancellationToken))
            {
                bytes += requestStream.Current.Data.Length;
                id = requestStream.Current.ReleaseId is "" ? id : requestStream.Current.ReleaseId;
            }

            // Echo the id so the client can tell all bytes arrived; the byte count keeps the loop honest.
            return new PushReceipt { ReleaseId = bytes > 0 ? id : "", Status = PushReceipt.Types.Status.Accepted };
        }
    }
}

/// <summary>Releases for the hub scenarios: one built by a real node from the synthetic workload, and copies of it for other states.</summary>
internal static class Releases
{
    /// <summary>
    /// A release built by the node's own release code from <paramref name="rows"/> synthetic migrant rows
    /// over ten years, protected with <paramref name="threshold"/> (a lower one publishes more cells from
    /// the same rows, which keeps building a 100,000-cell release cheap).
    /// </summary>
    public static BuiltRelease Build(DirectoryInfo workDir, int rows, int threshold = 10)
    {
        var dir = workDir.CreateSubdirectory($"source-{rows}");
        var workload = new Workload(dir, rows);
        var node = new NodeContext(NodeSetup.Init(dir.CreateSubdirectory("node"), "ITA", null, threshold), TimeProvider.System);
        node.Importer().ImportFile(workload.Incidents, "incidents", null);
        node.Importer().ImportFile(workload.Migrants, "migrants", null);
        return node.Releases().Release() ?? throw new InvalidOperationException("nothing to release");
    }

    /// <summary>
    /// The same cells as another state's release, values scaled by a per-state factor and a little
    /// per-cell noise, so states differ in size as real ones do while every code stays valid and every
    /// value stays above the threshold (only ever scaled up).
    /// </summary>
    public static BuiltRelease For(BuiltRelease source, string state, int seed, int? months = null, int versionBump = 0)
    {
        var random = new Random(seed);
        var release = source.Release.Clone();
        release.State = state;
        release.ReleaseId = Guid.CreateVersion7().ToString();
        if (months is { } keep)
        {
            while (release.Months.Count > keep)
            {
                release.Months.RemoveAt(0);
            }
        }

        foreach (var month in release.Months)
        {
            month.Version += versionBump;
        }

        var factor = 1 + (random.NextDouble() * 3);
        var cells = 0;
        foreach (var cell in release.Months.SelectMany(m => m.Tables).SelectMany(t => t.Cells))
        {
            cell.Value = (long)Math.Ceiling(cell.Value * (factor + (random.NextDouble() * 0.3)));
            cells++;
        }

        var payload = release.ToByteArray();
        return new BuiltRelease(release, payload, Convert.ToHexStringLower(SHA256.HashData(payload)), cells);
    }

    /// <summary>
    /// The source release with earlier decades prepended (its months shifted back ten years at a time, as
    /// a node back-filling its archive would send), trimmed from the oldest month to about
    /// <paramref name="cells"/> cells: the size the push benchmark asks for without building a release
    /// from millions of rows first.
    /// </summary>
    public static BuiltRelease Widen(BuiltRelease source, int cells)
    {
        var release = source.Release.Clone();
        var total = source.Cells;
        for (var decade = 1; total < cells; decade++)
        {
            var earlier = source.Release.Months.Select(m =>
            {
                var copy = m.Clone();
                copy.Month = Contracts.Text.Months.Format(Contracts.Text.Months.Parse(m.Month).AddYears(-10 * decade));
                return copy;
            });
            var later = release.Months.ToList();
            release.Months.Clear();
            release.Months.AddRange(earlier);
            release.Months.AddRange(later);
            total += source.Cells;
        }

        while (total - CellsOf(release.Months[0]) >= cells)
        {
            total -= CellsOf(release.Months[0]);
            release.Months.RemoveAt(0);
        }

        var payload = release.ToByteArray();
        return new BuiltRelease(release, payload, Convert.ToHexStringLower(SHA256.HashData(payload)), total);

        static int CellsOf(MonthRelease month) => month.Tables.Sum(t => t.Cells.Count);
    }

    /// <summary>Puts a release in the node's outbox exactly as ReleaseBuilder does.</summary>
    public static void Enqueue(NodeContext node, BuiltRelease built)
    {
        using var connection = node.Database.Open();
        using var tx = connection.BeginTransaction();
        OutboxStore.Enqueue(connection, tx, built);
        tx.Commit();
    }

    public static double Seconds(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }
}
