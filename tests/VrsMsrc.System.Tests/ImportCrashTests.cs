using System.Text;
using Dapper;
using VrsMsrc.Contracts.Storage;
using VrsMsrc.Node.Setup;
using VrsMsrc.System.Tests.Infrastructure;
using Xunit.Abstractions;

namespace VrsMsrc.System.Tests;

/// <summary>An import killed with SIGKILL at any point leaves the database as before it, never half.</summary>
[Trait("Category", "Fault")]
public sealed class ImportCrashTests(ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("vrs-import-kill-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static string Incidents(string prefix, int rows)
    {
        var csv = new StringBuilder("ref,detected_on,border_type,corridor,nationality,migrants\n");
        for (var i = 0; i < rows; i++)
        {
            csv.Append(global::System.Globalization.CultureInfo.InvariantCulture,
                $"{prefix}{i},20{15 + (i % 10)}-{1 + (i % 12):D2}-1{i % 10},sea,central_mediterranean,SYR,{1 + (i % 30)}\n");
        }

        return csv.ToString();
    }

    private static (long Count, string Integrity) Inspect(string database)
    {
        using var connection = SqliteDatabase.Open(database);
        return (connection.ExecuteScalar<long>("SELECT COUNT(*) FROM incidents"), connection.ExecuteScalar<string>("PRAGMA integrity_check")!);
    }

    [Fact]
    public async Task Killing_the_import_process_mid_file_leaves_the_database_as_before_or_after()
    {
        var node = NodeSetup.Init(new DirectoryInfo(Path.Combine(_dir.FullName, "node")), "ITA", null, 10);
        var small = Path.Combine(_dir.FullName, "small.csv");
        File.WriteAllText(small, Incidents("s", 1000));
        Assert.Equal(0, (await CliProcess.RunAsync("vrs-node", "import", small, "--kind", "incidents", "--data-dir", node.DataDir)).ExitCode);
        var big = Path.Combine(_dir.FullName, "big.csv");
        const int bigRows = 200_000;
        File.WriteAllText(big, Incidents("b", bigRows));

        var kills = 0;
        foreach (var delay in new[] { 300, 800, 1500 })
        {
            using var import = CliProcess.Start("vrs-node", "import", big, "--kind", "incidents", "--data-dir", node.DataDir);
            await Task.Delay(delay);
            if (import.HasExited)
            {
                output.WriteLine($"import finished before {delay} ms; no kill");
                continue;
            }

            import.Kill(entireProcessTree: true);
            await import.WaitForExitAsync();
            kills++;
            var (count, integrity) = Inspect(node.Database);
            output.WriteLine($"killed after {delay} ms: {count} incidents, integrity {integrity}");
            Assert.Equal("ok", integrity);
            Assert.Equal(1000, count);
        }

        Assert.True(kills > 0, "the machine imported 200,000 rows faster than every kill: raise the row count");
        Assert.Equal(0, (await CliProcess.RunAsync("vrs-node", "import", big, "--kind", "incidents", "--data-dir", node.DataDir)).ExitCode);
        Assert.Equal((1000L + bigRows, "ok"), Inspect(node.Database));
    }
}
