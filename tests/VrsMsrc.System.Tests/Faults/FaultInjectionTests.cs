using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;
using VrsMsrc.Node.Outbox;
using VrsMsrc.System.Tests.Infrastructure;

namespace VrsMsrc.System.Tests.Faults;

/// <summary>
/// Delivery under faults: a real hub process behind a TCP proxy that delays, drops, resets and
/// black-holes connections, nodes and hubs killed with SIGKILL, and a hub away for days on a moved
/// clock. After each scenario the delivery checker compares everything the nodes released with what
/// the hub holds: nothing missing, nothing doubled, nothing partial.
/// </summary>
[Collection(FaultSuite.Name)]
[Trait("Category", "Fault")]
public sealed class FaultInjectionTests(FaultLedger ledger, ITestOutputHelper output)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private void Report(string scenario, long faults, DeliveryCheck check, string detail) =>
        output.WriteLine(ledger.Record(scenario, faults, check, _clock.Elapsed, detail));

    private static bool HubHas(FaultRig rig, string releaseId)
    {
        using var connection = rig.Hub.Database.Open(readOnly: true);
        return connection.ExecuteScalar<long>("SELECT COUNT(*) FROM releases WHERE release_id = @releaseId", new { releaseId }) > 0;
    }

    [Fact]
    public async Task A_flaky_line_that_delays_drops_resets_and_black_holes_costs_time_not_data()
    {
        await using var rig = await FaultRig.StartAsync();
        var node = rig.Node("GRC");
        var payloads = new[]
        {
            FaultRig.Release(node, "a", 2000, seed: 1, years: 10),
            FaultRig.Release(node, "a", 2000, seed: 2, years: 10),
            FaultRig.Release(node, "b", 1000, seed: 3, years: 10),
        }.Select(r => r.Payload.Length).ToList();

        rig.Proxy.Latency = TimeSpan.FromMilliseconds(1);
        var big = payloads.Min();
        rig.Proxy.Plan(
            new Fault(FaultKind.Drop),                         // closed at once
            new Fault(FaultKind.BlackHole),                    // the handshake never answers
            new Fault(FaultKind.Reset, AfterNodeBytes: 3000),  // mid-handshake or Hello
            new Fault(FaultKind.Reset, big / 3),               // mid-push
            new Fault(FaultKind.Drop, big / 2),                // mid-push, politely
            new Fault(FaultKind.BlackHole, big * 2 / 3),       // mid-push, then silence
            new Fault(FaultKind.Reset, big - 100));            // on the last bytes of a push
        var results = await FaultRig.DrainAsync(node.Context.Publisher(FaultRig.QuickDelivery), node);

        // A planned fault is used up by the next connection even when that one closes before its
        // byte count is reached, so not every plan strikes; most do.
        Assert.True(rig.Proxy.FaultsInjected >= 5, $"{rig.Proxy.FaultsInjected} faults struck");
        Assert.Equal(3, results.Sum(r => r.Delivered + r.Duplicates));
        Assert.All(results, r => Assert.Equal(0, r.DeadLettered));
        Report("flaky line", rig.Proxy.FaultsInjected, rig.Verify(),
            $"drop, black hole, resets and drops mid-push on {payloads.Sum()} bytes in {results.Count} rounds, 1 ms latency per read");
    }

    [Fact]
    public async Task An_answer_lost_after_the_hub_committed_is_resent_and_answered_duplicate()
    {
        await using var rig = await FaultRig.StartAsync();
        var node = rig.Node("ROU");
        var release = FaultRig.Release(node, "a", 2000, seed: 4, years: 5);

        // The hub receives everything and commits; its receipt never reaches the node.
        rig.Proxy.LoseAnswersAfter(release.Payload.Length);
        // A deadline long enough that the reset below, not the deadline, ends the first attempt.
        var publishing = node.Context.Publisher(FaultRig.QuickDelivery with { AttemptTimeout = TimeSpan.FromSeconds(30) }).PublishAsync(CancellationToken.None);
        await FaultRig.WaitUntilAsync(() => HubHas(rig, release.Release.ReleaseId), "the hub committed the release");
        rig.Proxy.StopLosingAnswers();
        rig.Proxy.ResetAll();
        var result = await publishing;

        Assert.True((0, 1, 0) == (result.Delivered, result.Duplicates, result.StillPending), result.ToString());
        using (var connection = node.Context.Database.Open(readOnly: true))
        {
            Assert.Equal("Duplicate", connection.ExecuteScalar<string>("SELECT receipt FROM outbox"));
        }

        Report("answer lost after commit", rig.Proxy.FaultsInjected, rig.Verify(), "answers dropped, then the connection reset; the resend got DUPLICATE");
    }

    [Fact]
    public async Task A_hub_away_for_three_days_finds_the_outbox_drained_in_order_on_its_return()
    {
        var clock = new SteppedClock(new DateTimeOffset(2025, 3, 3, 8, 0, 0, TimeSpan.Zero));
        var log = new TestOutputLogger("ITA", clock);
        await using var rig = await FaultRig.StartAsync();
        var node = rig.Node("ITA", clock, log);
        FaultRig.Release(node, "a", 2000, seed: 5);
        int Pending() => (int)node.Context.Outbox.Counts().Pending;

        // 'serve' itself, on the moved clock: interval, retries and circuit breaker with their production settings.
        // 'serve' logs delivery to its own service log, as the journal gets it.
        var service = new PublisherService(node.Context, log.For<PublisherService>());
        await service.StartAsync(CancellationToken.None);
        try
        {
            await clock.StepUntilAsync(() => Pending() == 0, TimeSpan.FromMinutes(5), "the first release is delivered");

            rig.Hub.Kill();
            for (var day = 1; day <= 3; day++)
            {
                // The node keeps releasing while the hub is away: corrections and new incidents.
                FaultRig.Release(node, day % 2 == 0 ? "a" : $"day{day}", 1000, seed: 5 + day);
                await clock.PassAsync(TimeSpan.FromMinutes(20));
                clock.Jump(TimeSpan.FromDays(1) - TimeSpan.FromMinutes(20));
            }

            var away = node.Context.Outbox.Counts();
            Assert.Equal((3L, 0L), (away.Pending, away.Dead));
            Assert.StartsWith("Unavailable", away.LastError, StringComparison.Ordinal);
            var retries = log.Lines.Count(l => l.Contains("Hub unreachable", StringComparison.Ordinal) && l.Contains("; retry", StringComparison.Ordinal));
            var breaks = log.Lines.Count(l => l.Contains("not calling it again", StringComparison.Ordinal));
            Assert.True(breaks > 0, "the circuit never opened:\n" + string.Join('\n', log.Lines));

            await rig.RestartHubAsync();
            var policy = node.Context.Settings.Delivery;
            var drainedAfter = await clock.StepUntilAsync(() => Pending() == 0, TimeSpan.FromHours(1), "the outbox drains");
            Assert.True(drainedAfter <= policy.MaxBreak + node.Context.Settings.PublishInterval, $"drained {drainedAfter} after the hub returned");

            var check = rig.Verify();
            Assert.Equal(4, check.Releases);
            Report("hub away three days", 1, check,
                $"hub killed; 3 days on the moved clock while the node released 3 times: {retries} retries, circuit opened {breaks} times, {rig.Proxy.ConnectionsRefused} connections refused; drained {drainedAfter:mm\\:ss} after its return");
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_node_killed_during_release_has_the_whole_release_queued_or_none_of_it()
    {
        await using var rig = await FaultRig.StartAsync();
        var node = rig.Node("ESP");
        var dir = node.Paths.DataDir;
        long Queued() => node.Context.Outbox.Counts().Pending;

        // Twenty years of months make a release worth killing; time one that is left alone.
        FaultRig.Import(node, "a", 1500, seed: 10, years: 20);
        var timer = Stopwatch.StartNew();
        Assert.Equal(0, (await ServiceProcess.RunAsync("vrs-node", "release", "--data-dir", dir)).ExitCode);
        var whole = timer.Elapsed;

        int kills = 0, committed = 0;
        for (var i = 0; i < 6; i++)
        {
            FaultRig.Import(node, "a", 1500, seed: 11 + i, years: 20);
            var before = Queued();
            using (var release = ServiceProcess.Start("vrs-node", "release", "--data-dir", dir))
            {
                // From late in start-up, through building the tables, to the commit.
                await Task.Delay(whole * (0.5 + (0.1 * i)));
                release.Kill();
                kills++;
            }

            committed += Queued() > before ? 1 : 0;
            AssertMonthsAgreeWithOutbox(node);
        }

        var (releaseCode, releaseText) = await ServiceProcess.RunAsync("vrs-node", "release", "--data-dir", dir);
        Assert.True(releaseCode == 0, releaseText);
        var (pushCode, pushText) = await ServiceProcess.RunAsync("vrs-node", "push", "--data-dir", dir);
        Assert.True(pushCode == 0, pushText);

        Report("node killed during release", kills, rig.Verify(),
            $"vrs-node release killed {kills} times with SIGKILL between {whole.TotalSeconds * 0.5:F2} and {whole.TotalSeconds:F2} s into a {whole.TotalSeconds:F2} s run: {committed} had committed, {kills - committed} rolled back");
    }

    /// <summary>A release is in the outbox exactly when its months are marked released at its versions.</summary>
    private static void AssertMonthsAgreeWithOutbox(TestNode node)
    {
        using var connection = node.Context.Database.Open(readOnly: true);
        var marked = connection.Query<(string Month, long Version)>("SELECT month, version FROM months WHERE version > 0").ToDictionary(m => m.Month, m => m.Version);
        var queued = connection.Query<byte[]>("SELECT payload FROM outbox_payloads ORDER BY seq")
            .Select(Contracts.V1.Release.Parser.ParseFrom)
            .SelectMany(r => r.Months)
            .GroupBy(m => m.Month)
            .ToDictionary(g => g.Key, g => g.Max(m => m.Version));
        Assert.Equal(queued.OrderBy(m => m.Key), marked.OrderBy(m => m.Key));
    }

    [Fact]
    public async Task A_node_killed_during_push_sends_again_and_nothing_is_doubled()
    {
        await using var rig = await FaultRig.StartAsync();
        var node = rig.Node("HRV");
        var dir = node.Paths.DataDir;
        var built = FaultRig.Release(node, "a", 2000, seed: 20, years: 10);
        var id = built.Release.ReleaseId;

        // Killed half-way through the upload: the hub has nothing of it.
        rig.Proxy.Latency = TimeSpan.FromMilliseconds(20);
        var start = rig.Proxy.NodeBytes;
        using (var push = ServiceProcess.Start("vrs-node", "push", "--data-dir", dir))
        {
            await FaultRig.WaitUntilAsync(() => rig.Proxy.NodeBytes >= start + (built.Payload.Length / 2), "half the release is through");
            push.Kill();
        }

        Assert.False(HubHas(rig, id));
        Assert.Equal(1, node.Context.Outbox.Counts().Pending);

        // Killed after the hub committed, before the receipt reached it: the node still holds it pending.
        rig.Proxy.Latency = TimeSpan.Zero;
        rig.Proxy.LoseAnswersAfter(built.Payload.Length);
        using (var push = ServiceProcess.Start("vrs-node", "push", "--data-dir", dir))
        {
            await FaultRig.WaitUntilAsync(() => HubHas(rig, id), "the hub committed the release");
            push.Kill();
        }

        rig.Proxy.StopLosingAnswers();
        Assert.Equal(1, node.Context.Outbox.Counts().Pending);

        var (code, text) = await ServiceProcess.RunAsync("vrs-node", "push", "--data-dir", dir);
        Assert.True(code == 0, text);
        Assert.Contains("0 releases accepted, 1 already at the hub", text, StringComparison.Ordinal);
        Report("node killed during push", 2 + rig.Proxy.FaultsInjected, rig.Verify(),
            "vrs-node push killed with SIGKILL half-way through the upload, then again after the hub committed (answers lost); the next push got DUPLICATE");
    }

    [Fact]
    public async Task A_hub_killed_during_ingest_keeps_each_release_whole_or_not_at_all()
    {
        await using var rig = await FaultRig.StartAsync();
        var node = rig.Node("POL");
        var publisher = node.Context.Publisher(FaultRig.QuickDelivery);

        // Starts delivering; returns once the release's last bytes are on their way to the hub.
        async Task<Task> PushAsync(int bytes)
        {
            var start = rig.Proxy.NodeBytes;
            var draining = FaultRig.DrainAsync(publisher, node);
            await FaultRig.WaitUntilAsync(() => draining.IsCompleted || rig.Proxy.NodeBytes >= start + bytes, "the release's last bytes are on their way to the hub");
            return draining;
        }

        // Left alone, how long the hub takes from there to its commit.
        var first = FaultRig.Release(node, "a", 1500, seed: 30, years: 20);
        var draining = await PushAsync(first.Payload.Length);
        var timer = Stopwatch.StartNew();
        await FaultRig.WaitUntilAsync(() => HubHas(rig, first.Release.ReleaseId), "the hub committed the release");
        var ingest = timer.Elapsed;
        await draining;

        int kills = 0, committed = 0, inside = 0;
        foreach (var fraction in new[] { 0.5, 1.0, 1.5 })
        {
            var built = FaultRig.Release(node, "a", 1500, seed: 31 + kills, years: 20);
            draining = await PushAsync(built.Payload.Length);
            await Task.Delay(ingest * fraction);
            // Its log says whether the push call had started and not finished: the kill fell inside ingest.
            var pushLines = rig.Hub.Log.Where(l => l.Contains("vrsmsrc.v1.Exchange/Push", StringComparison.Ordinal)).ToList();
            rig.Hub.Kill();
            kills++;
            inside += pushLines.Count > 0 && pushLines[^1].Contains("Executing endpoint", StringComparison.Ordinal) ? 1 : 0;

            // What the killed hub left on disk: the whole release, or nothing of it.
            var slices = built.Release.Months.Count * built.Release.Months[0].Tables.Count;
            using (var connection = rig.Hub.Database.Open())
            {
                var at = connection.ExecuteScalar<long>("SELECT COUNT(*) FROM releases WHERE release_id = @ReleaseId", new { built.Release.ReleaseId });
                var applied = connection.ExecuteScalar<long>("SELECT COUNT(*) FROM month_versions WHERE release_id = @ReleaseId", new { built.Release.ReleaseId });
                Assert.Equal(at == 1 ? slices : 0, applied);
                committed += (int)at;
            }

            await rig.RestartHubAsync();
            await draining;
        }

        Report("hub killed during ingest", kills, rig.Verify(),
            $"vrs-hub killed with SIGKILL {kills} times, at 50, 100 and 150 % of the {ingest.TotalMilliseconds:F0} ms between a release's last byte leaving the node and its commit, {inside} of them inside the Push call: {committed} had committed (resend answered DUPLICATE), {kills - committed} rolled back (resend ACCEPTED)");
    }
}
