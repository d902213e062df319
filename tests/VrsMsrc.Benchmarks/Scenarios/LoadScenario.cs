using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using Dapper;
using Google.Protobuf;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using VrsMsrc.Contracts.CodeLists;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Configuration;
using VrsMsrc.Hub.Nodes;
using VrsMsrc.Hub.Pki;
using VrsMsrc.Hub.Serving;
using VrsMsrc.Hub.Setup;
using VrsMsrc.Hub.Trends;
using VrsMsrc.Node.Exchange;
using VrsMsrc.Node.Release;
using VrsMsrc.Node.Setup;
using VrsMsrc.Tests.Shared;

namespace VrsMsrc.Benchmarks.Scenarios;

/// <summary>
/// load: 200 simulated states push ten years of monthly releases (one release per month, 120 each) at
/// once, to two hub processes' worth of hubs (two hosts, two connection pools) on one PostgreSQL database,
/// each state to one of them; and the same to one hub on SQLite. Each state is a real enrolled node
/// identity (its own certificate, mutual TLS) pushing through the node's own channel, one release after
/// the other, as a node catching up would. Measured for both: sustained ingest (cells over the wall time
/// from the first push to the last receipt), p95 push latency (send to receipt), and p95 latency of series
/// questions asked of the hub's engine throughout the load. Ratio = PostgreSQL cells/s / SQLite cells/s.
/// </summary>
internal sealed class LoadScenario : IScenario
{
    /// <summary>The PostgreSQL server to use (a fresh schema is made and dropped); .ci/run exports it, --postgres sets it.</summary>
    public const string PostgresVariable = TestPostgresServer.Variable;

    private static readonly SeriesRequest[] Questions =
    [
        new() { Measure = "migrants" },
        new() { Measure = "migrants", By = "state", Period = "year" },
        new() { Measure = "migrants", By = "corridor", From = "2020-01" },
    ];

    /// <summary>Months per state (--load-months): the same 200 states at once, each sending its last N months.</summary>
    public const string MonthsVariable = "VRS_BENCH_LOAD_MONTHS";

    /// <summary>
    /// The full run's default: two years per state keeps the whole run under 20 minutes; the ten
    /// years (--load-months 120) take about as long as all the other scenarios together, so they run alone.
    /// </summary>
    public const int DefaultMonths = 24;

    public string Name => "load";

    public ScenarioResult Run(bool quick, DirectoryInfo workDir) => RunAsync(quick, workDir).GetAwaiter().GetResult();

    private static async Task<ScenarioResult> RunAsync(bool quick, DirectoryInfo workDir)
    {
        // The tests' server: --postgres or VRS_TEST_POSTGRES, or else a private cluster started for this run.
        var server = TestPostgresServer.ConnectionString;
        var states = quick ? 10 : 200;
        var months = Environment.GetEnvironmentVariable(MonthsVariable) is { Length: > 0 } given
            ? int.Parse(given, System.Globalization.CultureInfo.InvariantCulture)
            : quick ? 12 : DefaultMonths;
        var source = Releases.Build(workDir, quick ? PushSizes.QuickRows : PushSizes.FullRows, PushSizes.Threshold);
        var names = Codes.Nationalities.Entries.Select(e => e.Code).Where(Codes.IsCountry).Order(StringComparer.Ordinal).Take(states).ToList();
        var work = names.Select((state, i) => MonthlyReleases(Releases.For(source, state, i + 1), months)).ToList();

        var schema = "bench_" + Guid.NewGuid().ToString("N");
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.ExecuteAsync($"CREATE SCHEMA {schema}");
        }

        try
        {
            var postgres = new StorageSettings { Provider = StorageSettings.Postgres, ConnectionString = new NpgsqlConnectionStringBuilder(server) { SearchPath = schema }.ToString() };
            var onPostgres = await MeasureAsync(workDir.CreateSubdirectory("postgres"), postgres, hubs: 2, names, work);
            NpgsqlConnection.ClearAllPools();
            var onSqlite = await MeasureAsync(workDir.CreateSubdirectory("sqlite"), new StorageSettings(), hubs: 1, names, work);
            return new ScenarioResult("load", onPostgres.CellsPerSecond, "cells/s (2 hubs, PostgreSQL)", onSqlite.CellsPerSecond, "cells/s (1 hub, SQLite)",
                onPostgres.CellsPerSecond / onSqlite.CellsPerSecond, 0.5,
                $"{states} states × {months} monthly releases = {onPostgres.Pushes:N0} pushes, {onPostgres.Cells:N0} cells each run; " +
                $"PostgreSQL: {onPostgres.Seconds:F1} s, push p95 {onPostgres.PushP95:F0} ms, series p95 during load {onPostgres.QueryP95:F0} ms ({onPostgres.Queries} questions); " +
                $"SQLite: {onSqlite.Seconds:F1} s, push p95 {onSqlite.PushP95:F0} ms, series p95 during load {onSqlite.QueryP95:F0} ms ({onSqlite.Queries} questions)");
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(server);
            await admin.ExecuteAsync($"DROP SCHEMA {schema} CASCADE");
        }
    }

    private sealed record Measurement(int Pushes, long Cells, double Seconds, double PushP95, double QueryP95, int Queries)
    {
        public double CellsPerSecond => Cells / Seconds;
    }

    /// <summary>One release per month of the state's ten years, as a node sends them when it catches up.</summary>
    private static List<BuiltRelease> MonthlyReleases(BuiltRelease all, int months) =>
        [.. all.Release.Months.TakeLast(months).Select(month =>
        {
            var release = all.Release.Clone();
            release.ReleaseId = Guid.CreateVersion7().ToString();
            release.Months.Clear();
            release.Months.Add(month.Clone());
            var payload = release.ToByteArray();
            return new BuiltRelease(release, payload, Convert.ToHexStringLower(SHA256.HashData(payload)), month.Tables.Sum(t => t.Cells.Count));
        })];

    private static async Task<Measurement> MeasureAsync(DirectoryInfo dir, StorageSettings storage, int hubs, List<string> states, List<List<BuiltRelease>> work)
    {
        var settings = new HubSettings { ExchangeUrl = "https://127.0.0.1:0", AnalystUrl = "https://127.0.0.1:0", Storage = storage };
        var paths = HubSetup.Init(dir.CreateSubdirectory("hub"), [], settings, TimeProvider.System);
        var running = new List<(WebApplication App, HubListeners Listeners)>();
        try
        {
            // The further hubs share the first's data directory (CA, certificate, settings) and database,
            // each with its own stores and connection pool, as separate hub processes would.
            for (var i = 0; i < hubs; i++)
            {
                var listeners = new HubListeners();
                var app = HubServer.Build(paths, settings, TimeProvider.System, listeners, ["--Logging:LogLevel:Default=Warning"]);
                await app.StartAsync();
                running.Add((app, listeners));
            }

            var ca = CertificateAuthority.Load(paths.CaCertificate, paths.CaKey, TimeProvider.System);
            var registry = running[0].App.Services.GetRequiredService<INodeRegistry>();
            var channels = states.Select((state, i) =>
            {
                var node = NodeSetup.Init(dir.CreateSubdirectory($"node-{state}"), state, null, 10);
                var issued = ca.SignNode(File.ReadAllText(node.Csr), state);
                registry.Register(issued);
                var cert = Path.Combine(paths.IssuedDir, $"{state}.crt");
                File.WriteAllText(cert, issued.Pem);
                NodeSetup.Enrol(node, new FileInfo(cert), new FileInfo(paths.CaCertificate));
                return HubConnection.Open(node, $"https://localhost:{running[i % hubs].Listeners.ExchangePort}");
            }).ToList();

            var series = running[0].App.Services.GetRequiredService<SeriesEngine>();
            var scope = QueryScope.Unrestricted("benchmark");
            var pushLatencies = new ConcurrentBag<double>();
            var queryLatencies = new List<double>();
            using var stop = new CancellationTokenSource();
            var asking = Task.Run(async () =>
            {
                // An analyst asking throughout the load; the answers are not checked here, only timed.
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var clock = Stopwatch.StartNew();
                    series.Series(Questions[i % Questions.Length], scope);
                    queryLatencies.Add(clock.Elapsed.TotalMilliseconds);
                    await Task.Delay(100, CancellationToken.None);
                }
            });

            var wall = Stopwatch.StartNew();
            await Task.WhenAll(channels.Select((channel, i) => Task.Run(async () =>
            {
                var client = new Exchange.ExchangeClient(channel);
                foreach (var release in work[i])
                {
                    var clock = Stopwatch.StartNew();
                    await PushAsync(client, release);
                    pushLatencies.Add(clock.Elapsed.TotalMilliseconds);
                }
            })));
            var seconds = wall.Elapsed.TotalSeconds;
            await stop.CancelAsync();
            await asking;
            foreach (var channel in channels)
            {
                channel.Dispose();
            }

            var measurement = new Measurement(pushLatencies.Count, work.Sum(w => w.Sum(r => (long)r.Cells)), seconds,
                P95(pushLatencies), P95(queryLatencies), queryLatencies.Count);
            // A progress line for whoever watches a long run; the parent reads only the RESULT line.
            Console.WriteLine($"load on {storage.Provider} ({hubs} hub(s)): {measurement}");
            return measurement;
        }
        finally
        {
            foreach (var (app, _) in running)
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Pushes until the hub's receipt, retrying a failed transport as a node's publisher does (a busy
    /// machine times out TLS handshakes); the latency a state sees includes its retries. A retry of a
    /// release the hub applied before the failure is answered DUPLICATE, which is a receipt too.
    /// </summary>
    private static async Task PushAsync(Exchange.ExchangeClient client, BuiltRelease release)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var status = await PushOnceAsync(client, release);
                if (status == PushReceipt.Types.Status.Accepted || (attempt > 1 && status == PushReceipt.Types.Status.Duplicate))
                {
                    return;
                }

                throw new InvalidOperationException($"release {release.Release.ReleaseId} of {release.Release.State}: {status}");
            }
            catch (Grpc.Core.RpcException e) when (attempt < 10 && e.StatusCode is Grpc.Core.StatusCode.Unavailable or Grpc.Core.StatusCode.DeadlineExceeded or Grpc.Core.StatusCode.Internal)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
            }
        }
    }

    /// <summary>A one-month release fits one chunk: the header and the bytes in one message, then the receipt.</summary>
    private static async Task<PushReceipt.Types.Status> PushOnceAsync(Exchange.ExchangeClient client, BuiltRelease release)
    {
        using var call = client.Push(deadline: DateTime.UtcNow.AddMinutes(5));
        await call.RequestStream.WriteAsync(new PushChunk
        {
            ReleaseId = release.Release.ReleaseId,
            Sha256 = ByteString.CopyFrom(Convert.FromHexString(release.Sha256Hex)),
            TotalBytes = release.Payload.Length,
            Data = ByteString.CopyFrom(release.Payload),
        });
        await call.RequestStream.CompleteAsync();
        return (await call.ResponseAsync).Status;
    }

    private static double P95(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[(int)Math.Ceiling(0.95 * sorted.Count) - 1];
    }
}
