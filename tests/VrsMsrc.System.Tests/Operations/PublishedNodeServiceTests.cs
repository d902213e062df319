using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Dapper;
using VrsMsrc.System.Tests.Infrastructure;

namespace VrsMsrc.System.Tests.Operations;

/// <summary>
/// The install path of docs/install-node.md, end to end: deploy/publish.sh makes a self-contained
/// folder; the node is set up with the published program; then it runs the way systemd would run it,
/// from deploy/systemd/vrs-node.service's ExecStart and Environment lines, with no SDK or runtime on
/// PATH, imports with the published CLI beside it, pushes to a real hub, and answers /readyz and /metrics.
/// </summary>
[Trait("Category", "System")]
public sealed class PublishedNodeServiceTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("vrs-published-");
    private HubProcess? _hub;

    [Fact]
    public async Task A_published_node_runs_as_a_service_without_the_sdk_and_pushes_to_the_hub()
    {
        var repository = Repository();
        var publish = await RunAsync("bash", [Path.Combine(repository, "deploy/publish.sh"), "--out", Path.Combine(_work.FullName, "dist"), "--no-archive", "node"], null, TimeSpan.FromMinutes(10));
        Assert.True(publish.ExitCode == 0, publish.Output);
        var program = Path.Combine(_work.FullName, "dist/vrs-node-linux-x64/vrs-node");
        Assert.True(File.Exists(program), publish.Output);
        Assert.True(File.Exists(Path.Combine(_work.FullName, "dist/vrs-node-linux-x64/vrs-node.service")));

        _hub = await HubProcess.StartAsync();
        var data = Path.Combine(_work.FullName, "data");
        var ingestPort = FreePort();
        // The unit's own environment, with the paths of this machine, and nothing of the test's: no dotnet on PATH.
        var unit = File.ReadAllLines(Path.Combine(repository, "deploy/systemd/vrs-node.service"));
        string Local(string text) => text.Replace("/var/lib/vrs-node", data, StringComparison.Ordinal).Replace("/opt/vrs-node", Path.GetDirectoryName(program)!, StringComparison.Ordinal);
        var environment = unit.Where(l => l.StartsWith("Environment=", StringComparison.Ordinal))
            .Select(l => Local(l["Environment=".Length..]).Split('=', 2))
            .ToDictionary(kv => kv[0], kv => kv[1]);
        environment["PATH"] = "/usr/bin:/bin";
        environment["HOME"] = _work.FullName;
        environment["VRS_IngestUrl"] = $"http://127.0.0.1:{ingestPort}";
        Assert.Equal(data, environment["VRS_DATA_DIR"]);

        async Task<string> Cli(params string[] args)
        {
            var result = await RunAsync(program, args, environment, TimeSpan.FromMinutes(2));
            Assert.True(result.ExitCode is 0, $"vrs-node {string.Join(' ', args)} exited {result.ExitCode}: {result.Output}");
            return result.Output;
        }

        await Cli("init", "--state", "ITA", "--hub", _hub.ExchangeUrl);
        var certificate = _hub.SignAndRegister(Path.Combine(data, "node.csr"), "ITA");
        await Cli("enrol", "--cert", certificate, "--ca", _hub.Paths.CaCertificate);
        Assert.Contains("configuration ok", await Cli("config", "check"), StringComparison.Ordinal);
        var incidents = Path.Combine(_work.FullName, "incidents.csv");
        await File.WriteAllTextAsync(incidents, SyntheticIncidents.Csv("ITA", 500, 3));
        await Cli("import", incidents, "--kind", "incidents");
        await Cli("release");
        var apiKey = (await Cli("apikey", "add", "--name", "prometheus")).Split('\n')[0].Trim();

        var execStart = Local(unit.Single(l => l.StartsWith("ExecStart=", StringComparison.Ordinal))["ExecStart=".Length..]).Split(' ');
        using var service = Start(execStart[0], execStart[1..], environment);
        var output = new List<string>();
        service.OutputDataReceived += (_, e) => { lock (output) { if (e.Data is not null) { output.Add(e.Data); } } };
        service.ErrorDataReceived += (_, e) => { lock (output) { if (e.Data is not null) { output.Add(e.Data); } } };
        service.BeginOutputReadLine();
        service.BeginErrorReadLine();
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DeliveredAtHub() == 0)
            {
                Assert.False(service.HasExited, "the service stopped: " + string.Join('\n', output));
                Assert.True(DateTime.UtcNow < deadline, "no release reached the hub: " + string.Join('\n', output));
                await Task.Delay(200);
            }

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ingestPort}") };
            Assert.Equal("ready\n", await http.GetStringAsync(new Uri("/readyz", UriKind.Relative)));
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri("/metrics", UriKind.Relative))).StatusCode);
            using var scrape = new HttpRequestMessage(HttpMethod.Get, "/metrics");
            scrape.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            var metrics = await (await http.SendAsync(scrape)).EnsureSuccessStatusCode().Content.ReadAsStringAsync();
            Has(metrics, @"(?m)^vrs_node_import_rows_total\{[^}]*outcome=""stored""[^}]*\} 500( |$)");
            Has(metrics, @"(?m)^vrs_node_import_rows_total\{[^}]*outcome=""rejected""[^}]*\} 0( |$)");
            Has(metrics, @"(?m)^vrs_node_import_batches_total(\{[^}]*\})? 1( |$)");
            Has(metrics, @"(?m)^vrs_node_releases_total(\{[^}]*\})? 1( |$)");
            Has(metrics, @"(?m)^vrs_node_outbox_depth\{[^}]*state=""delivered""[^}]*\} 1( |$)");
            Has(metrics, @"(?m)^vrs_node_outbox_depth\{[^}]*state=""pending""[^}]*\} 0( |$)");
            Has(metrics, @"(?m)^vrs_node_outbox_oldest_age_seconds(\{[^}]*\})? 0( |$)");
            Has(metrics, @"(?m)^vrs_node_push_duration_seconds_count\{[^}]*outcome=""Accepted""[^}]*\} 1( |$)");
            Has(metrics, @"(?m)^vrs_node_certificate_remaining_days(\{[^}]*\})? [1-9]");

            // systemd stops a service with SIGTERM: the node finishes and exits 0.
            Assert.Equal(0, (await RunAsync("/bin/kill", ["-TERM", service.Id.ToString(CultureInfo.InvariantCulture)], null, TimeSpan.FromSeconds(10))).ExitCode);
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await service.WaitForExitAsync(stop.Token);
            Assert.Equal(0, service.ExitCode);
        }
        finally
        {
            if (!service.HasExited)
            {
                service.Kill();
            }
        }

        // VRS_Operations__LogFormat=Json from the unit: every line the service wrote is a JSON event.
        lock (output)
        {
            Assert.NotEmpty(output);
            Assert.All(output, line => Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(line).RootElement.ValueKind));
            Assert.Contains(output, l => l.Contains("delivered: Accepted", StringComparison.Ordinal));
        }
    }

    private long DeliveredAtHub()
    {
        using var connection = _hub!.Database.Open(readOnly: true);
        return connection.ExecuteScalar<long>("SELECT COUNT(*) FROM releases WHERE state = 'ITA'");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Process Start(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        if (environment is not null)
        {
            start.Environment.Clear();
            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, string[] args, IReadOnlyDictionary<string, string>? environment, TimeSpan timeout)
    {
        using var process = Start(program, args, environment);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await output + await error);
    }

    private static string Repository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "deploy/publish.sh")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("deploy/publish.sh not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A metric line matching <paramref name="pattern"/>; on failure, shows the whole scrape.</summary>
    private static void Has(string metrics, [global::System.Diagnostics.CodeAnalysis.StringSyntax("Regex")] string pattern) =>
        Assert.True(global::System.Text.RegularExpressions.Regex.IsMatch(metrics, pattern), $"no line matches {pattern} in:\n{metrics}");

    public void Dispose()
    {
        _hub?.Dispose();
        _work.Delete(recursive: true);
    }
}
