using System.Diagnostics;
using System.Runtime;
using Microsoft.Extensions.DependencyInjection;
using VrsMsrc.Node.Configuration;
using VrsMsrc.Node.Release;

namespace VrsMsrc.Benchmarks.Scenarios;

/// <summary>
/// push: one node pushes a release of about 100,000 cells to a real hub over mutual TLS, timed from the
/// publisher's start to the hub's receipt (so including the hub's validation and ingest); the ceiling is
/// the same payload streamed in the same chunks over the node's own channel to a server that only
/// counts bytes. Ratio = push cells/s / ceiling cells/s; target ≥ 0.5. Median of several rounds, the
/// two alternating, each round re-releasing every month under a new version so the hub applies it all.
/// </summary>
internal sealed class PushScenario : IScenario
{
    /// <summary>Warm-up pushes in a row that must leave the JIT with nothing to compile before timing starts.</summary>
    private const int QuietPushes = 3;

    /// <summary>A bound on the warm-up should the JIT never fall quiet (a method compiled on every push).</summary>
    private const int MaxWarmUpPushes = 250;

    public string Name => "push";

    public ScenarioResult Run(bool quick, DirectoryInfo workDir) => RunAsync(quick, workDir).GetAwaiter().GetResult();

    private async Task<ScenarioResult> RunAsync(bool quick, DirectoryInfo workDir)
    {
        var source = Releases.Widen(Releases.Build(workDir, quick ? PushSizes.QuickRows : PushSizes.FullRows, PushSizes.Threshold), quick ? 10_000 : 100_000);
        await using var hub = await BenchHub.StartAsync(workDir.CreateSubdirectory("hub"));
        await using var ceiling = await CountingServer.StartAsync(hub.ServerCertificate);
        var node = hub.Enrol(workDir.CreateSubdirectory("node-ITA"), "ITA");

        // Warm-up of both paths with releases of the full size, untimed, until the JIT is done with them: a
        // running hub has long been warm. Much of a push runs once per push (the receiving loop, the apply, the
        // publisher's round), and the JIT takes such a method through an instrumented tier after 30 calls and
        // to its optimised code after 30 more, so a fixed 30 warm-ups left the timed rounds recompiling about
        // 30 ms of CPU per push (perf, 2026-11-28). Warm until three pushes in a row compiled no method.
        var warmUps = 0;
        for (var quiet = 0; quick ? warmUps < 4 : quiet < QuietPushes && warmUps < MaxWarmUpPushes; warmUps++)
        {
            var compiled = JitInfo.GetCompiledMethodCount();
            var warm = Releases.For(source, "ITA", 0, versionBump: warmUps);
            await ceiling.SendAsync(node, warm.Payload, warm.Release.ReleaseId, warm.Sha256Hex);
            await DeliverAsync(node, warm);
            quiet = JitInfo.GetCompiledMethodCount() == compiled ? quiet + 1 : 0;
        }

        await hub.WaitForDetectionAsync(DateTimeOffset.UtcNow);

        var rounds = quick ? 1 : 9;
        var ours = new List<double>();
        var theirs = new List<double>();
        BuiltRelease? last = null;
        for (var round = 1; round <= rounds; round++)
        {
            last = Releases.For(source, "ITA", round, versionBump: warmUps + round);
            var clock = Stopwatch.StartNew();
            await ceiling.SendAsync(node, last.Payload, last.Release.ReleaseId, last.Sha256Hex);
            theirs.Add(last.Cells / clock.Elapsed.TotalSeconds);
            ours.Add(last.Cells / await PushAsync(hub, node, last));
        }

        var value = PushSizes.Median(ours);
        var baseline = PushSizes.Median(theirs);
        return new ScenarioResult(Name, value, "cells/s", baseline, "cells/s (gRPC byte stream, same TLS)", PushSizes.MedianRatio(ours, theirs), 0.5,
            $"{last!.Cells:N0} cells, {last.Payload.Length / 1e6:F1} MB, {last.Release.Months.Count} months; after {warmUps} warm-up pushes; median of {rounds} round(s), each {string.Join(" / ", ours.Select(o => $"{o:N0}"))} cells/s vs ceiling {string.Join(" / ", theirs.Select(t => $"{t:N0}"))}");
    }

    /// <summary>Pushes through the node's publisher and returns the seconds to the receipt; then waits for the hub's detection pass so the next measurement does not share the CPU with it.</summary>
    internal static async Task<double> PushAsync(BenchHub hub, NodeContext node, BuiltRelease release)
    {
        var seconds = await DeliverAsync(node, release);
        await hub.WaitForDetectionAsync(DateTimeOffset.UtcNow);
        return seconds;
    }

    /// <summary>Enqueues the release at the node and pushes it through the node's publisher; returns the seconds from the publisher's start to the receipt.</summary>
    private static async Task<double> DeliverAsync(NodeContext node, BuiltRelease release)
    {
        Releases.Enqueue(node, release);
        var clock = Stopwatch.StartNew();
        var result = await node.Publisher(maxRetries: 1, firstDelay: TimeSpan.FromMilliseconds(50)).PublishAsync(CancellationToken.None);
        var seconds = clock.Elapsed.TotalSeconds;
        return result.Delivered == 1 ? seconds : throw new InvalidOperationException($"push not delivered: {result}");
    }
}

/// <summary>
/// hub-ingest: 50 nodes, each with its own certificate and a release of its own, push at once to one hub;
/// cells/s over all of them from the first publisher's start to the last receipt. The ceiling is 50
/// concurrent streams of the same payloads to the byte-counting server. Ratio = ours / ceiling; target ≥ 0.5.
/// </summary>
internal sealed class HubIngestScenario : IScenario
{
    public string Name => "hub-ingest";

    public ScenarioResult Run(bool quick, DirectoryInfo workDir) => RunAsync(quick, workDir).GetAwaiter().GetResult();

    private async Task<ScenarioResult> RunAsync(bool quick, DirectoryInfo workDir)
    {
        var source = Releases.Build(workDir, quick ? PushSizes.QuickRows : PushSizes.FullRows, PushSizes.Threshold);
        var months = quick ? 6 : 24;
        var states = quick ? 10 : BenchHub.States.Length;
        await using var hub = await BenchHub.StartAsync(workDir.CreateSubdirectory("hub"));
        await using var ceiling = await CountingServer.StartAsync(hub.ServerCertificate);
        var nodes = BenchHub.States.Take(states).Select(s => hub.Enrol(workDir.CreateSubdirectory($"node-{s}"), s)).ToList();

        // Warm-up as in push: one node's release of the full size, untimed.
        var warm = Releases.For(source, nodes[0].Settings.State, 0);
        await ceiling.SendAsync(nodes[0], warm.Payload, warm.Release.ReleaseId, warm.Sha256Hex);
        await PushScenario.PushAsync(hub, nodes[0], warm);

        // Median of rounds, as push: one burst of 50 pushes is a single sample of a busy machine, and the
        // ceiling's 50 handshakes at once vary threefold between rounds; 9 rounds keep runs within ±20%.
        var rounds = quick ? 1 : 9;
        var ours = new List<double>();
        var theirs = new List<double>();
        List<BuiltRelease> releases = [];
        for (var round = 1; round <= rounds; round++)
        {
            releases = [.. nodes.Select((n, i) => Releases.For(source, n.Settings.State, (round * 100) + i, months: months, versionBump: round))];
            var cells = releases.Sum(r => r.Cells);
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(nodes.Select((n, i) => ceiling.SendAsync(n, releases[i].Payload, releases[i].Release.ReleaseId, releases[i].Sha256Hex)));
            theirs.Add(cells / clock.Elapsed.TotalSeconds);

            foreach (var (node, release) in nodes.Zip(releases))
            {
                Releases.Enqueue(node, release);
            }

            clock.Restart();
            var results = await Task.WhenAll(nodes.Select(n => n.Publisher(maxRetries: 3, firstDelay: TimeSpan.FromMilliseconds(200)).PublishAsync(CancellationToken.None)));
            ours.Add(cells / clock.Elapsed.TotalSeconds);
            if (results.Any(r => r.Delivered != 1))
            {
                throw new InvalidOperationException($"not all delivered: {string.Join("; ", results.Where(r => r.Delivered != 1))}");
            }

            await hub.WaitForDetectionAsync(DateTimeOffset.UtcNow);
        }

        var value = PushSizes.Median(ours);
        var baseline = PushSizes.Median(theirs);
        var total = releases.Sum(r => r.Cells);
        return new ScenarioResult(Name, value, "cells/s", baseline, $"cells/s ({states} gRPC byte streams, same TLS)", PushSizes.MedianRatio(ours, theirs), 0.5,
            $"{states} nodes × {total / states:N0} cells ({months} months) = {total:N0} cells, {releases.Sum(r => r.Payload.Length) / 1e6:F1} MB; median of {rounds} round(s), each {string.Join(" / ", ours.Select(o => $"{o:N0}"))} cells/s vs ceiling {string.Join(" / ", theirs.Select(t => $"{t:N0}"))}");
    }
}

internal static class PushSizes
{
    /// <summary>Synthetic migrant rows of the source release (about 25,000 cells over ten years at the lowest threshold).</summary>
    public const int FullRows = 100_000;

    public const int QuickRows = 20_000;

    /// <summary>The lowest threshold a node may use: most cells for the rows.</summary>
    public const int Threshold = 5;

    /// <summary>
    /// The median of each round's ratio (ours / ceiling, measured one right after the other), as import does:
    /// a burst of other work slows one round of both sides rather than one side of the ratio.
    /// </summary>
    public static double MedianRatio(List<double> ours, List<double> theirs) => Median([.. ours.Zip(theirs, (o, t) => o / t)]);

    public static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
