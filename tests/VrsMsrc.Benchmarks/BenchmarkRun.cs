using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using VrsMsrc.Benchmarks.Scenarios;

namespace VrsMsrc.Benchmarks;

/// <summary>One measured scenario: the project's figure, the baseline's from the same run, and their ratio (higher is better).</summary>
internal sealed record ScenarioResult(string Name, double Value, string Unit, double Baseline, string BaselineUnit, double Ratio, double Target, string Note)
{
    public bool MeetsTarget => Ratio >= Target;
}

/// <summary>
/// Timed rounds of the project and its baseline, alternating which goes first, after a full garbage
/// collection each: on a shared machine a burst of someone else's work then slows one round of both sides
/// rather than one side of the ratio. Each side returns its own time in seconds (so that its setup, such as
/// a fresh copy of a database, stays outside it). Reported are the median times and the median of the
/// rounds' ratios baseline time / project time.
/// </summary>
internal static class Rounds
{
    public static (double Ours, double Baseline, double Ratio) Run(int rounds, Func<double> ours, Func<double> baseline)
    {
        var o = new List<double>();
        var b = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            if (round % 2 == 0)
            {
                o.Add(Timed(ours));
                b.Add(Timed(baseline));
            }
            else
            {
                b.Add(Timed(baseline));
                o.Add(Timed(ours));
            }
        }

        return (Median(o), Median(b), Median(o.Zip(b, (x, y) => y / x).ToList()));
    }

    private static double Timed(Func<double> action)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return action();
    }

    public static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}

internal interface IScenario
{
    string Name { get; }

    ScenarioResult Run(bool quick, DirectoryInfo workDir);
}

/// <summary>
/// dotnet run -c Release --project tests/VrsMsrc.Benchmarks -- [--quick] [--json FILE] [--only NAME] [--postgres CONNECTION] [--load-months N]
/// Each scenario runs in a child process of its own, so that its peak memory is its own.
/// </summary>
internal static class BenchmarkRun
{
    private static readonly IScenario[] Scenarios = [
        new ImportScenario(), new ReleaseFullScenario(), new ReleaseIncrementalScenario(), new PushScenario(), new HubIngestScenario(), new QueryScenario(), new DetectScenario(),
        new LoadScenario(),
    ];

    public static async Task<int> MainAsync(string[] args)
    {
        var quick = args.Contains("--quick");
        var json = Value(args, "--json");
        var only = Value(args, "--only");
        if (Value(args, "--postgres") is { } postgres)
        {
            // Children inherit it: the load scenario's PostgreSQL server.
            Environment.SetEnvironmentVariable(LoadScenario.PostgresVariable, postgres);
        }

        if (Value(args, "--load-months") is { } months)
        {
            Environment.SetEnvironmentVariable(LoadScenario.MonthsVariable, months);
        }

        if (Value(args, "--child") is { } child)
        {
            return RunChild(child, quick);
        }

        var unknown = only is null ? [] : only.Split(',').Where(n => Scenarios.All(s => s.Name != n)).ToList();
        if (unknown.Count > 0)
        {
            await Console.Error.WriteLineAsync($"unknown scenario {string.Join(", ", unknown)}; scenarios: {string.Join(", ", Scenarios.Select(s => s.Name))}");
            return 2;
        }

        var results = new JsonArray();
        var failed = false;
        foreach (var scenario in Scenarios.Where(s => only is null || only.Split(',').Contains(s.Name)))
        {
            Console.WriteLine($"== {scenario.Name}{(quick ? " (quick)" : "")}");
            var (result, error) = await RunInChildAsync(scenario.Name, quick);
            if (result is null)
            {
                Console.WriteLine($"   FAILED: {error}");
                failed = true;
                continue;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"   {result["value"]} {result["unit"]}  baseline {result["baseline"]} {result["baseline_unit"]}  ratio {result["ratio"]} (target ≥ {result["target"]}: {((bool)result["meets_target"]! ? "met" : "NOT met")})  peak {result["peak_mb"]} MB"));
            Console.WriteLine($"   {result["note"]}");
            results.Add(result);
        }

        if (json is not null)
        {
            var document = new JsonObject
            {
                ["scenarios"] = results,
                ["machine"] = new JsonObject
                {
                    ["cores"] = Environment.ProcessorCount,
                    ["os"] = Environment.OSVersion.ToString(),
                    ["runtime"] = Environment.Version.ToString(),
                    ["memory_gb"] = Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1e9, 1),
                    ["quick"] = quick,
                    ["date"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
                },
            };
            await File.WriteAllTextAsync(json, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }

        // Timing never fails the run; only errors do (a noisy shared machine is no reason to fail CI).
        return failed ? 1 : 0;
    }

    private static int RunChild(string name, bool quick)
    {
        var scenario = Scenarios.Single(s => s.Name == name);
        var work = Directory.CreateTempSubdirectory($"vrs-bench-{name}-");
        try
        {
            var r = scenario.Run(quick, work);
            var result = new JsonObject
            {
                ["name"] = r.Name,
                ["value"] = Math.Round(r.Value, 3),
                ["unit"] = r.Unit,
                ["baseline"] = Math.Round(r.Baseline, 3),
                ["baseline_unit"] = r.BaselineUnit,
                ["ratio"] = Math.Round(r.Ratio, 3),
                ["target"] = r.Target,
                ["meets_target"] = r.MeetsTarget,
                ["peak_mb"] = PeakMegabytes(),
                ["note"] = r.Note,
            };
            Console.WriteLine("RESULT " + result.ToJsonString());
            return 0;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<(JsonObject? Result, string Error)> RunInChildAsync(string name, bool quick)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(BenchmarkRun).Assembly.Location);
        }

        start.ArgumentList.Add("--child");
        start.ArgumentList.Add(name);
        if (quick)
        {
            start.ArgumentList.Add("--quick");
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var lines = (await stdout).Split('\n');
        var line = lines.FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));

        // The hubs a scenario runs log their warnings to standard output: the last of them often say why it failed.
        return line is null
            ? (null, $"exit {process.ExitCode}: {(await stderr).Trim()}\nlast output:\n{string.Join('\n', lines.TakeLast(30))}")
            : ((JsonObject)JsonNode.Parse(line[7..])!, "");
    }

    /// <summary>Peak resident memory of this process (VmHWM), in MB.</summary>
    private static double PeakMegabytes()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        var kb = line is null ? 0 : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return Math.Round(kb / 1024, 1);
    }

    private static string? Value(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
