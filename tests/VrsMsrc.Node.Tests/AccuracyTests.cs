using System.Diagnostics;
using System.Globalization;
using VrsMsrc.Node.Protection;
using Xunit.Abstractions;
using ReleaseMessage = VrsMsrc.Contracts.V1.Release;

namespace VrsMsrc.Node.Tests;

/// <summary>
/// The accuracy figures of docs/privacy.md: the real Frontex detections split across nodes as
/// deploy/demo.sh does, each node releasing with the default protection; published monthly totals
/// (and yearly totals summed from them) against the true values. Reproduce with
/// <c>dotnet test tests/VrsMsrc.Node.Tests --filter "FullyQualifiedName~AccuracyTests" --logger "console;verbosity=detailed"</c>.
/// </summary>
[Trait("Category", "Privacy")]
public sealed class AccuracyTests(ITestOutputHelper output)
{
    private sealed record Figure(string What, int Cells, int Suppressed, double MeanAbsolute, double MeanRelative, double MedianRelative, double WorstRelative);

    [Fact]
    public void Published_totals_of_the_Frontex_data_are_close_to_the_true_values()
    {
        var sample = Path.Combine(RepositoryRoot(), "deploy", "sample-data");
        var split = Directory.CreateTempSubdirectory("vrs-accuracy-");
        try
        {
            Run(Path.Combine(sample, "frontex-to-incidents.sh"), Path.Combine(sample, "frontex_ibc_monthly_2009-2025.csv"), split.FullName);

            // (state, month) → (true, published or null when suppressed)
            var monthly = new List<(string State, string Month, long True, long? Published)>();
            foreach (var file in Directory.GetFiles(split.FullName, "incidents-*.csv").Order(StringComparer.Ordinal))
            {
                var state = Path.GetFileNameWithoutExtension(file)["incidents-".Length..];
                using var node = new TempNode(state);
                node.Context.Importer().ImportFile(file, "incidents", null);
                var truth = File.ReadLines(file).Skip(1).Select(l => l.Split(','))
                    .GroupBy(f => f[1][..7]).ToDictionary(g => g.Key, g => g.Sum(f => long.Parse(f[5], CultureInfo.InvariantCulture)));
                var release = ReleaseMessage.Parser.ParseFrom(node.Context.Releases().Release()!.Payload);
                var published = (from m in release.Months
                                 from t in m.Tables where t.Table == "totals"
                                 from c in t.Cells where c.Measure == "migrants"
                                 select (m.Month, c.Value)).ToDictionary(x => x.Month, x => x.Value);
                monthly.AddRange(truth.Select(t => (state, t.Key, t.Value, published.TryGetValue(t.Key, out var v) ? v : (long?)null)));
            }

            // A suppressed month adds nothing to a yearly total an analyst sums up: that is part of its error.
            var yearly = monthly.GroupBy(m => (m.State, Year: m.Month[..4]))
                .Select(g => (g.Key.State, g.Key.Year, True: g.Sum(m => m.True), Published: (long?)g.Sum(m => m.Published ?? 0))).ToList();
            var regionalMonthly = monthly.GroupBy(m => m.Month).Select(g => (True: g.Sum(m => m.True), Published: (long?)g.Sum(m => m.Published ?? 0))).ToList();
            var regionalYearly = yearly.GroupBy(y => y.Year).Select(g => (True: g.Sum(y => y.True), Published: (long?)g.Sum(y => y.Published ?? 0))).ToList();
            var figures = new[]
            {
                Measure("monthly total per state", monthly.Select(m => (m.True, m.Published))),
                Measure("yearly total per state", yearly.Select(y => (y.True, y.Published))),
                Measure("monthly regional total", regionalMonthly),
                Measure("yearly regional total", regionalYearly),
            };

            var defaults = new ProtectionParameters();
            output.WriteLine($"Protection k={defaults.Threshold} D={defaults.MaxNoise} V={defaults.Variance} p0={defaults.NoChangeProbability}; {monthly.Count} state-months, {monthly.Sum(m => m.True)} migrants");
            output.WriteLine("what | cells | suppressed | mean absolute error | mean relative error | median relative error | largest relative error");
            foreach (var f in figures)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{f.What} | {f.Cells} | {f.Suppressed} | {f.MeanAbsolute:F2} | {f.MeanRelative:P3} | {f.MedianRelative:P3} | {f.WorstRelative:P1}"));
            }

            // The noise is at most D per published cell and about √V on average; summed over a region the
            // errors stay a tiny share of the total (small state-years, where suppression bites, are in the table).
            Assert.InRange(figures[0].MeanAbsolute, 0.5, defaults.MaxNoise);
            Assert.True(figures[3].MeanRelative < 0.001, $"regional yearly relative error {figures[3].MeanRelative:P2}");
        }
        finally
        {
            split.Delete(recursive: true);
        }
    }

    /// <summary>Errors over published cells only; suppressed cells are counted, not scored.</summary>
    private static Figure Measure(string what, IEnumerable<(long True, long? Published)> cells)
    {
        var list = cells.ToList();
        var published = list.Where(c => c.Published is not null && c.True > 0).ToList();
        return new Figure(what, list.Count, list.Count - published.Count,
            published.Average(c => (double)Math.Abs(c.Published!.Value - c.True)),
            published.Average(c => (double)Math.Abs(c.Published!.Value - c.True) / c.True),
            published.Select(c => (double)Math.Abs(c.Published!.Value - c.True) / c.True).Order().ElementAt(published.Count / 2),
            published.Max(c => (double)Math.Abs(c.Published!.Value - c.True) / c.True));
    }

    private static void Run(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{script} failed: {errors}");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "VrsMsrc.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("VrsMsrc.sln not found above the test directory");
    }
}
