using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using VrsMsrc.Contracts.Catalogue;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Contracts.CodeLists;
using VrsMsrc.Hub.Configuration;
using VrsMsrc.Hub.Exchange;
using VrsMsrc.Hub.Nodes;
using VrsMsrc.Hub.Setup;
using VrsMsrc.Hub.Storage;
using VrsMsrc.Hub.Trends;
using VrsMsrc.Hub.Trends.Alerts;

namespace VrsMsrc.Benchmarks.Scenarios;

/// <summary>
/// A hub store holding 50 states × 120 months of the full catalogue: one ten-year release built by a real
/// node from the synthetic workload (so cardinalities are those of real-shaped data and every code is
/// valid), copied for 50 states with per-state scaling, applied through the store's own ApplyAsync; and,
/// for the baseline, the same cells appended to an in-memory DuckDB table.
/// </summary>
internal sealed class HubStore : IDisposable
{
    public HubStore(bool quick, DirectoryInfo workDir, bool withDuck)
    {
        // Quick: a smoke test of the same code on 10 states × 24 months; applying cells is what dominates setup.
        States = quick ? 10 : BenchHub.States.Length;
        Months = quick ? 24 : 120;
        var source = Releases.Build(workDir, quick ? 10_000 : 40_000);
        var paths = HubSetup.Init(workDir.CreateSubdirectory("hub"), [], new HubSettings(), TimeProvider.System);
        Database = new HubDatabase(paths.Database);
        Store = new SqliteCellStore(Database);
        if (withDuck)
        {
            Duck = new DuckDBConnection("Data Source=:memory:");
            Duck.Open();
            using var create = Duck.CreateCommand();
            create.CommandText = "CREATE TABLE cells (state VARCHAR, month VARCHAR, tbl VARCHAR, measure VARCHAR, d0 VARCHAR, d1 VARCHAR, d2 VARCHAR, d3 VARCHAR, value BIGINT)";
            create.ExecuteNonQuery();
        }

        for (var i = 0; i < States; i++)
        {
            var release = Releases.For(source, BenchHub.States[i], 1000 + i, months: Months);
            // Timed as the exchange applies a push: read and checked from its bytes, then stored.
            LoadSeconds += Releases.Seconds(() => Store.ApplyAsync(Checked(release.Payload), release.Sha256Hex, DateTimeOffset.UtcNow, null, CancellationToken.None).GetAwaiter().GetResult());
            Cells += release.Cells;
            if (Duck is not null)
            {
                DuckLoadSeconds += Releases.Seconds(() => Append(release.Release));
            }
        }

        Series = new SeriesEngine(Store);
        Queries = new TrendQueries(Series, Store, new SqliteNodeRegistry(Database, TimeProvider.System), new SqliteAlertStore(Database), TimeProvider.System);
    }

    private static CheckedRelease Checked(byte[] payload) =>
        PushedRelease.Read(payload, Corridors, DateTimeOffset.UtcNow).TryCheck(out var checkedRelease, out var problem)
            ? checkedRelease
            : throw new InvalidOperationException($"the benchmark's release is refused: {problem}");

    private static readonly IReadOnlySet<string> Corridors = Codes.DefaultCorridors.Entries.Select(e => e.Code).ToHashSet();

    public int States { get; }
    public int Months { get; }
    public HubDatabase Database { get; }
    public SqliteCellStore Store { get; }
    public SeriesEngine Series { get; }
    public TrendQueries Queries { get; }
    public DuckDBConnection? Duck { get; }
    public long Cells { get; }
    /// <summary>Seconds spent reading, checking and applying the releases.</summary>
    public double LoadSeconds { get; }

    public double DuckLoadSeconds { get; }

    private void Append(Release release)
    {
        using var appender = Duck!.CreateAppender("cells");
        foreach (var month in release.Months)
        {
            foreach (var table in month.Tables)
            {
                foreach (var cell in table.Cells)
                {
                    var row = appender.CreateRow().AppendValue(release.State).AppendValue(month.Month).AppendValue(table.Table).AppendValue(cell.Measure);
                    for (var d = 0; d < 4; d++)
                    {
                        row = row.AppendValue(d < cell.Dims.Count ? cell.Dims[d] : null);
                    }

                    row.AppendValue(cell.Value).EndRow();
                }
            }
        }
    }

    public void Dispose()
    {
        Store.Dispose();
        Duck?.Dispose();
    }
}

/// <summary>
/// query: p50/p95 latency of typical series, flows and fee questions through the hub's query engine
/// (TrendQueries and SeriesEngine, unrestricted scope) against DuckDB answering the same series
/// questions (the same GROUP BYs) over the same cells. Value = series p95 in ms; ratio = 50 / p95
/// (target ≥ 1, i.e. p95 under 50 ms); baseline = DuckDB's p95 for the same series questions.
/// </summary>
internal sealed class QueryScenario : IScenario
{
    public string Name => "query";

    private static readonly (SeriesRequest Request, string Duck)[] SeriesQuestions =
    [
        (new SeriesRequest { Measure = "migrants" },
            "SELECT month, SUM(value) FROM cells WHERE tbl = 'totals' AND measure = 'migrants' GROUP BY ALL"),
        (new SeriesRequest { Measure = "migrants", By = "corridor" },
            "SELECT month, d0, SUM(value) FROM cells WHERE tbl = 'corridors' AND measure = 'migrants' GROUP BY ALL"),
        (new SeriesRequest { Measure = "migrants", By = "state", Period = "quarter" },
            "SELECT state, substr(month, 1, 4), (CAST(substr(month, 6, 2) AS INT) - 1) // 3, SUM(value) FROM cells WHERE tbl = 'totals' AND measure = 'migrants' GROUP BY ALL"),
        (new SeriesRequest { Measure = "migrants", By = "nationality", Where = { "corridor=central_mediterranean" }, From = "2020-01", To = "2024-12" },
            "SELECT month, d0, SUM(value) FROM cells WHERE tbl = 'flows' AND measure = 'migrants' AND d3 = 'central_mediterranean' AND month BETWEEN '2020-01' AND '2024-12' GROUP BY ALL"),
        (new SeriesRequest { Measure = "migrants", By = "nationality", Period = "year", States = { "GRC" } },
            "SELECT substr(month, 1, 4), d0, SUM(value) FROM cells WHERE tbl = 'migrant_profile' AND measure = 'migrants' AND state = 'GRC' GROUP BY ALL"),
        (new SeriesRequest { Measure = "unaccompanied_minors", By = "nationality,age_band", From = "2023-01" },
            "SELECT month, d0, d2, SUM(value) FROM cells WHERE tbl = 'migrant_profile' AND measure = 'unaccompanied_minors' AND month >= '2023-01' GROUP BY ALL"),
    ];

    public ScenarioResult Run(bool quick, DirectoryInfo workDir)
    {
        using var store = new HubStore(quick, workDir, withDuck: true);
        // A p95 of few samples moves with one slow answer: 60 rounds × 6 questions keep it within ±20% between runs.
        var rounds = quick ? 5 : 60;
        var scope = QueryScope.Unrestricted("benchmark");
        FlowsRequest[] flows = [new() { From = "2023-01", To = "2024-12" }, new() { TransportMode = "maritime" }, new() { States = { "ITA", "GRC" }, Top = 50 }];
        FeesRequest[] fees = [new() { Origin = "SYR" }, new() { Currency = "EUR", From = "2022-01" }, new() { Destination = "ITA", States = { "ITA" } }];

        var series = new List<double>();
        var perQuestion = SeriesQuestions.Select(_ => new List<double>()).ToArray();
        var cold = new List<double>();
        var duck = new List<double>();
        var flowTimes = new List<double>();
        var feeTimes = new List<double>();
        for (var round = 0; round <= rounds; round++)
        {
            // Round 0 warms both engines up (JIT, page cache) and is not counted.
            var keep = round > 0;
            for (var q = 0; q < SeriesQuestions.Length; q++)
            {
                var (request, sql) = SeriesQuestions[q];
                var ms = Time(() => store.Series.Series(request, scope));
                var duckMs = Time(() => Drain(store.Duck!, sql));
                if (keep)
                {
                    series.Add(ms);
                    perQuestion[q].Add(ms);
                    duck.Add(duckMs);
                }
                else
                {
                    cold.Add(ms);
                }
            }

            foreach (var request in flows)
            {
                var ms = Time(() => store.Queries.Flows(request, scope));
                if (keep)
                {
                    flowTimes.Add(ms);
                }
            }

            foreach (var request in fees)
            {
                var ms = Time(() => store.Queries.Fees(request, scope));
                if (keep)
                {
                    feeTimes.Add(ms);
                }
            }
        }

        var p95 = Percentile(series, 0.95);
        return new ScenarioResult(Name, p95, "ms series p95", Percentile(duck, 0.95), "ms DuckDB p95, same series", 50 / p95, 1,
            $"{store.Cells:N0} cells ({store.States} states × {store.Months} months), applied in {store.LoadSeconds:F1} s (DuckDB append {store.DuckLoadSeconds:F1} s); {rounds} rounds × {SeriesQuestions.Length} series, {flows.Length} flows, {fees.Length} fees questions. " +
            $"series p50 {Percentile(series, 0.5):F1} ms (DuckDB {Percentile(duck, 0.5):F1}), p95 per question {string.Join(" / ", perQuestion.Select(t => Percentile(t, 0.95).ToString("F1", CultureInfo.InvariantCulture)))} ms, first (uncounted, cold) round {string.Join(" / ", cold.Select(t => t.ToString("F0", CultureInfo.InvariantCulture)))} ms; flows p50/p95 {Percentile(flowTimes, 0.5):F1}/{Percentile(flowTimes, 0.95):F1} ms; fees p50/p95 {Percentile(feeTimes, 0.5):F1}/{Percentile(feeTimes, 0.95):F1} ms");
    }

    private static void Drain(DuckDBConnection duck, string sql)
    {
        using var command = duck.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
        }
    }

    private static double Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalMilliseconds;
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }
}

/// <summary>
/// detect: a full detection pass (AlertPass.Run, what the hub's alert refresher runs after ingests, here
/// with nothing remembered from an earlier pass) over every watched series of the 50 × 120 store.
/// Ratio = 30 / seconds; target ≥ 1 (under 30 s). Baseline: the same pass's series extraction alone,
/// every watched series read through the series engine regionally and per state exactly as the pass
/// reads them, so the difference is the detectors' own cost.
/// </summary>
internal sealed class DetectScenario : IScenario
{
    public string Name => "detect";

    public ScenarioResult Run(bool quick, DirectoryInfo workDir)
    {
        using var store = new HubStore(quick, workDir, withDuck: false);
        var extraction = Releases.Seconds(() =>
        {
            foreach (var kind in WatchList.All)
            {
                var request = new SeriesRequest { Table = kind.Table.Name, Measure = kind.Measure, By = string.Join(',', kind.By), Period = "month" };
                var all = store.Series.Series(request, TrendQueries.All);
                foreach (var state in all.States)
                {
                    var one = request.Clone();
                    one.States.Add(state);
                    store.Series.Series(one, TrendQueries.All);
                }
            }
        });
        AlertPassResult? result = null;
        var seconds = Releases.Seconds(() => result = new AlertPass(store.Series).Run());
        return new ScenarioResult(Name, seconds, "s", extraction, "s (series extraction alone)", 30 / seconds, 1,
            $"{store.Cells:N0} cells ({store.States} states × {store.Months} months, applied in {store.LoadSeconds:F1} s); {result!.SeriesWatched:N0} series watched, {result.MonthsJudged:N0} months judged, {result.Alerts.Count:N0} alerts ({result.FirstMonth}..{result.LastMonth}); {Environment.ProcessorCount} cores");
    }
}
