using System.Diagnostics;
using Dapper;
using DuckDB.NET.Data;
using VrsMsrc.Node.Configuration;
using VrsMsrc.Node.Setup;

namespace VrsMsrc.Benchmarks.Scenarios;

/// <summary>A node holding the workload, and DuckDB holding the same rows, for the release scenarios.</summary>
internal sealed class ReleaseSetup : IDisposable
{
    public ReleaseSetup(bool quick, DirectoryInfo workDir)
    {
        Rows = quick ? 100_000 : 1_000_000;
        WorkDir = workDir;
        Workload = new Workload(workDir, Rows);
        Node = new NodeContext(NodeSetup.Init(workDir.CreateSubdirectory("node"), "ITA", null, 10), TimeProvider.System);
        Node.Importer().ImportFile(Workload.Incidents, "incidents", null);
        Node.Importer().ImportFile(Workload.Migrants, "migrants", null);
        Duck = new DuckDBConnection("Data Source=:memory:");
        Duck.Open();
        Load(Workload.Incidents, Workload.Migrants, create: true);
    }

    public int Rows { get; }
    public DirectoryInfo WorkDir { get; }
    public Workload Workload { get; }
    public NodeContext Node { get; }
    public DuckDBConnection Duck { get; }

    /// <summary>
    /// Seconds the node takes to release again what it released before: every month, or one. Marking a
    /// month changed is what an import does; the release then reads and protects its records anew.
    /// </summary>
    public double TimeRelease(int expectedMonths, string? month)
    {
        using (var connection = Node.Database.Open())
        {
            connection.Execute("UPDATE months SET changed = 1 WHERE @month IS NULL OR month = @month", new { month });
        }

        var clock = Stopwatch.StartNew();
        var built = Node.Releases().Release() ?? throw new InvalidOperationException("nothing to release");
        var seconds = clock.Elapsed.TotalSeconds;
        return built.Release.Months.Count == expectedMonths
            ? seconds
            : throw new InvalidOperationException($"released {built.Release.Months.Count} months, expected {expectedMonths}");
    }

    public void Load(string incidents, string migrants, bool create)
    {
        var verb = create ? "CREATE TABLE inc AS" : "INSERT INTO inc";
        Execute($"{verb} SELECT *, hash(ref) % 256 AS rk, substr(detected_on, 1, 7) AS month FROM read_csv('{incidents}', header = true, all_varchar = true)");
        verb = create ? "CREATE TABLE mig AS" : "INSERT INTO mig";
        Execute($"{verb} SELECT *, hash(incident_ref || nationality || row_number() OVER ()) % 256 AS rk FROM read_csv('{migrants}', header = true, all_varchar = true)");
    }

    /// <summary>
    /// The same GROUP BYs a full release computes: every catalogue table the workload fills, with the
    /// sum of counts and of record keys per month and cell, each result read to the end.
    /// </summary>
    public double TimeGroupBys()
    {
        const string contributions =
            "WITH c AS (SELECT i.month, i.corridor, i.border_type, i.context, i.transport_mode, i.origin, i.destination, i.transits, " +
            "m.nationality, m.sex, m.age_band, m.unaccompanied, m.fee_amount, m.fee_currency, CAST(m.count AS BIGINT) AS n, m.rk " +
            "FROM mig m JOIN inc i ON i.ref = m.incident_ref) ";
        string[] queries =
        [
            "SELECT month, COUNT(*), SUM(rk) FROM inc GROUP BY ALL",
            "SELECT month, corridor, border_type, COUNT(*), SUM(rk) FROM inc GROUP BY ALL",
            "SELECT month, doc_fraud, doc_type, transport_mode, COUNT(*), SUM(rk) FROM inc GROUP BY ALL",
            "SELECT month, concealment, transport_mode, COUNT(*), SUM(rk) FROM inc GROUP BY ALL",
            "SELECT month, corridor, transport_mode, SUM(CAST(dead_missing AS BIGINT)), SUM(rk) FROM inc WHERE dead_missing <> '0' GROUP BY ALL",
            contributions + "SELECT month, SUM(n), SUM(rk) FROM c GROUP BY ALL",
            contributions + "SELECT month, corridor, border_type, SUM(n), SUM(rk) FROM c GROUP BY ALL",
            contributions + "SELECT month, nationality, border_type, context, corridor, SUM(n), SUM(rk) FROM c GROUP BY ALL",
            contributions + "SELECT month, nationality, sex, age_band, SUM(n), SUM(rk) FROM c GROUP BY ALL",
            contributions + "SELECT month, nationality, sex, age_band, SUM(n), SUM(rk) FROM c WHERE unaccompanied = 'true' AND age_band IN ('0-13', '14-17') GROUP BY ALL",
            contributions + "SELECT month, origin, destination, fee_currency, floor(log10(CAST(fee_amount AS DOUBLE))), SUM(n), SUM(rk) FROM c WHERE fee_amount IS NOT NULL GROUP BY ALL",
            contributions +
            "SELECT month, f, t, transport_mode, SUM(n), SUM(rk) FROM (" +
            "SELECT month, origin AS f, COALESCE(transits, destination) AS t, transport_mode, n, rk FROM c UNION ALL " +
            "SELECT month, transits, destination, transport_mode, n, rk FROM c WHERE transits IS NOT NULL) GROUP BY ALL",
        ];
        var clock = Stopwatch.StartNew();
        foreach (var sql in queries)
        {
            using var command = Duck.CreateCommand();
            command.CommandText = sql;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
            }
        }

        return clock.Elapsed.TotalSeconds;
    }

    private void Execute(string sql)
    {
        using var command = Duck.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose() => Duck.Dispose();
}

/// <summary>
/// release-full: the first release of ten years of data (every month changed), against DuckDB's time
/// for the same GROUP BYs over the same rows. Ratio = DuckDB time / release time; target ≥ 1/3
/// ("within 3× of DuckDB"). The first release is made once untimed (warming both sides up); each timed
/// round then marks every month changed again, so the builder repeats exactly the first release's work
/// (<see cref="Rounds"/>).
/// </summary>
internal sealed class ReleaseFullScenario : IScenario
{
    public string Name => "release-full";

    public ScenarioResult Run(bool quick, DirectoryInfo workDir)
    {
        using var setup = new ReleaseSetup(quick, workDir);
        setup.TimeGroupBys();
        var first = setup.Node.Releases().Release() ?? throw new InvalidOperationException("nothing to release");
        var rounds = quick ? 3 : 5;
        var (ours, duck, ratio) = Rounds.Run(rounds, () => setup.TimeRelease(first.Release.Months.Count, month: null), setup.TimeGroupBys);
        return new ScenarioResult(Name, ours, "s", duck, "s", ratio, 1.0 / 3,
            $"{setup.Rows:N0} migrant rows over {first.Release.Months.Count} months, {first.Cells:N0} published cells; median of {rounds} rounds");
    }
}

/// <summary>
/// release-incremental: after the full release, 1,000 new migrant rows in the latest month (the usual
/// monthly update) are imported and released; DuckDB recomputes the same GROUP BYs over all rows.
/// Ratio = DuckDB time / release time; target ≥ 10. Each timed round marks that month changed again, so
/// the builder repeats exactly the incremental release's work (<see cref="Rounds"/>).
/// </summary>
internal sealed class ReleaseIncrementalScenario : IScenario
{
    public string Name => "release-incremental";

    public ScenarioResult Run(bool quick, DirectoryInfo workDir)
    {
        using var setup = new ReleaseSetup(quick, workDir);
        setup.Node.Releases().Release();
        var (incidents, migrants) = Workload.Update(workDir, 1_000);
        setup.Node.Importer().ImportFile(incidents, "incidents", null);
        setup.Node.Importer().ImportFile(migrants, "migrants", null);
        setup.Load(incidents, migrants, create: false);

        setup.TimeGroupBys();
        var rounds = quick ? 5 : 7;
        var (ours, duck, ratio) = Rounds.Run(rounds, () => setup.TimeRelease(1, Workload.UpdateMonth), setup.TimeGroupBys);
        return new ScenarioResult(Name, ours, "s", duck, "s", ratio, 10,
            $"1,000 new rows on top of {setup.Rows:N0}; each release covered 1 month; median of {rounds} rounds");
    }
}
