using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace VrsMsrc.Tests.Shared;

/// <summary>
/// The PostgreSQL server the hub's PostgreSQL tests use: the one VRS_TEST_POSTGRES names (.ci/run starts
/// one), or else a private cluster this test process starts itself with deploy/postgres/start-test-postgres.sh
/// on a free loopback port, stopped by the script once this process has gone, so that a plain 'dotnet test VrsMsrc.sln' needs only
/// Debian's postgresql package. Without the server's binaries a test that needs it fails, saying why; it is
/// never skipped.
/// </summary>
internal static partial class TestPostgresServer
{
    public const string Variable = "VRS_TEST_POSTGRES";

    private static readonly Lazy<string> Server = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string ConnectionString => Server.Value;

    private static string Start()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given)
        {
            return given;
        }

        var script = FindScript();
        var output = StartCluster(script, FreePort().ToString(CultureInfo.InvariantCulture));
        var connection = Exported().Match(output) is { Success: true } c ? c.Groups["value"].Value : null;
        if (connection is null)
        {
            throw new InvalidOperationException($"{script} printed no connection string:\n{output}");
        }

        return connection;
    }

    private static string FindScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var script = Path.Combine(dir.FullName, "deploy", "postgres", "start-test-postgres.sh");
            if (File.Exists(script))
            {
                return script;
            }
        }

        throw new InvalidOperationException($"{Variable} is not set and deploy/postgres/start-test-postgres.sh is not above {AppContext.BaseDirectory}");
    }

    private static string StartCluster(string script, string port)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.Environment["PORT"] = port;

        // The script stops the cluster once this test process has gone, however it ends.
        start.Environment["OWNER_PID"] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0
            ? output.Result
            : throw new InvalidOperationException(
                $"{Variable} is not set and starting a private PostgreSQL failed (apt-get install postgresql; or set {Variable}): {error.Trim()}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex("^export VRS_TEST_POSTGRES='(?<value>[^']*)'$", RegexOptions.Multiline)]
    private static partial Regex Exported();
}
