using System.Diagnostics;
using Microsoft.Data.Sqlite;
using VrsMsrc.Contracts.Storage;
using VrsMsrc.Node.Configuration;
using VrsMsrc.Node.Setup;

namespace VrsMsrc.Benchmarks.Scenarios;

/// <summary>
/// import: migrant rows from CSV through the node's importer (parsing, every validation rule, the
/// cross-row rules, corrections by position, one transaction), against a plain prepared-statement insert
/// of the same rows into SQLite with the same durability settings, in the same run. Target: ≥ 0.5.
/// Each round imports into a fresh copy of a node that holds the rows' incidents, and inserts into a
/// fresh database (<see cref="Rounds"/>).
/// </summary>
internal sealed class ImportScenario : IScenario
{
    public string Name => "import";

    public ScenarioResult Run(bool quick, DirectoryInfo workDir)
    {
        var rows = quick ? 100_000 : 1_000_000;

        // Both paths run once on a small file first, so neither pays for JIT compilation in the timing.
        var warmDir = workDir.CreateSubdirectory("warm-up");
        var warm = new Workload(warmDir, 10_000);
        var warmNode = new NodeContext(NodeSetup.Init(warmDir.CreateSubdirectory("node"), "ITA", null, 10), TimeProvider.System);
        warmNode.Importer().ImportFile(warm.Incidents, "incidents", null);
        warmNode.Importer().ImportFile(warm.Migrants, "migrants", null);
        PlainInsert(warm.Migrants, Path.Combine(warmDir.FullName, "plain.db"));
        warmDir.Delete(recursive: true);

        var workload = new Workload(workDir, rows);
        var template = workDir.CreateSubdirectory("node");
        new NodeContext(NodeSetup.Init(template, "ITA", null, 10), TimeProvider.System).Importer().ImportFile(workload.Incidents, "incidents", null);

        var round = 0;
        double Ours()
        {
            var dir = Copy(template, workDir.CreateSubdirectory($"round-{++round}"));
            var node = new NodeContext(new NodePaths(dir.FullName), TimeProvider.System);
            var clock = Stopwatch.StartNew();
            var summary = node.Importer().ImportFile(workload.Migrants, "migrants", null);
            var seconds = clock.Elapsed.TotalSeconds;
            if (summary.Stored != workload.MigrantRows)
            {
                throw new InvalidOperationException($"imported {summary.Stored} of {workload.MigrantRows} rows: {(summary.Problems.Count > 0 ? summary.Problems[0] : null)}");
            }

            dir.Delete(recursive: true);
            return seconds;
        }

        double Baseline()
        {
            var database = Path.Combine(workDir.FullName, "plain.db");
            var clock = Stopwatch.StartNew();
            PlainInsert(workload.Migrants, database);
            var seconds = clock.Elapsed.TotalSeconds;
            File.Delete(database);
            return seconds;
        }

        var rounds = quick ? 3 : 5;
        var (ours, baseline, ratio) = Rounds.Run(rounds, Ours, Baseline);
        return new ScenarioResult(Name, rows / ours, "rows/s", rows / baseline, "rows/s", ratio, 0.5,
            $"{rows:N0} migrant rows; median of {rounds} rounds: importer {ours:F2} s, plain prepared insert {baseline:F2} s");
    }

    private static DirectoryInfo Copy(DirectoryInfo from, DirectoryInfo to)
    {
        foreach (var file in from.GetFiles())
        {
            file.CopyTo(Path.Combine(to.FullName, file.Name));
        }

        return to;
    }

    /// <summary>The ceiling: split each line on commas and insert it, nothing checked.</summary>
    private static void PlainInsert(string csv, string database)
    {
        using var connection = SqliteDatabase.Open(database);
        using (var create = connection.CreateCommand())
        {
            create.CommandText =
                "CREATE TABLE migrants (incident_ref TEXT NOT NULL, ordinal INTEGER NOT NULL, nationality TEXT, sex TEXT, age_band TEXT, " +
                "unaccompanied INTEGER, fee_amount REAL, fee_currency TEXT, count INTEGER NOT NULL, PRIMARY KEY (incident_ref, ordinal)) WITHOUT ROWID";
            create.ExecuteNonQuery();
        }

        using var tx = connection.BeginTransaction();
        using var insert = SqliteDatabase.Prepare(connection, tx,
            "INSERT INTO migrants VALUES ($r, $o, $n, $s, $a, $u, $f, $c, $k)", ["$r", "$o", "$n", "$s", "$a", "$u", "$f", "$c", "$k"]);
        var ordinal = 0L;
        foreach (var line in File.ReadLines(csv).Skip(1))
        {
            var f = line.Split(',');
            var p = insert.Parameters;
            p[0].Value = f[0];
            p[1].Value = ordinal++;
            p[2].Value = f[1];
            p[3].Value = f[2];
            p[4].Value = f[3];
            p[5].Value = f[4] == "true" ? 1 : 0;
            p[6].Value = f[5].Length == 0 ? DBNull.Value : double.Parse(f[5], System.Globalization.CultureInfo.InvariantCulture);
            p[7].Value = f[6].Length == 0 ? DBNull.Value : f[6];
            p[8].Value = long.Parse(f[7], System.Globalization.CultureInfo.InvariantCulture);
            insert.ExecuteNonQuery();
        }

        tx.Commit();
        SqliteConnection.ClearAllPools();
    }
}
