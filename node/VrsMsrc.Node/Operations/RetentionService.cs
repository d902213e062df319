using VrsMsrc.Node.Configuration;
using VrsMsrc.Node.Transparency;

namespace VrsMsrc.Node.Operations;

/// <summary>
/// At the start of 'serve' and daily: deletes rejects reports older than Retention:RejectsDays (they hold
/// the rejected rows' raw values and serve only to correct the source; the imports table keeps the counts
/// and the file name, so no obligation outlives them), and empties release payloads older than
/// Retention:TransparencyPayloadDays that nothing needs any more (<see cref="TransparencyLog.PrunePayloads"/>).
/// </summary>
internal sealed class RetentionService(NodeContext node, ILogger<RetentionService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var removed = PruneRejects(node);
            if (removed > 0)
            {
                log.LogInformation("Retention: deleted {Files} rejects files older than {Days} days", removed, node.Settings.Retention.RejectsDays);
            }

            var payloads = PrunePayloads(node);
            if (payloads.Refused is { } broken)
            {
                log.LogWarning("Retention: release payloads not pruned, the transparency log is broken at entry {Seq} (release {ReleaseId}): {Reason}; run 'vrs-node log --verify'", broken.Seq, broken.ReleaseId, broken.Reason);
            }
            else if (payloads.Pruned > 0)
            {
                log.LogInformation("Retention: pruned the payloads of {Releases} delivered releases older than {Days} days; their hashes stay in the transparency log", payloads.Pruned, node.Settings.Retention.TransparencyPayloadDays);
            }

            await Task.Delay(TimeSpan.FromDays(1), node.Time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>Deletes the reports past retention; returns how many files went.</summary>
    public static int PruneRejects(NodeContext node)
    {
        var days = node.Settings.Retention.RejectsDays;
        if (days == 0 || !Directory.Exists(node.RejectsDir))
        {
            return 0;
        }

        var cutoff = node.Time.GetUtcNow().UtcDateTime - TimeSpan.FromDays(days);
        var old = new DirectoryInfo(node.RejectsDir).EnumerateFiles().Where(f => f.LastWriteTimeUtc < cutoff).ToList();
        foreach (var file in old)
        {
            file.Delete();
        }

        return old.Count;
    }

    /// <summary>Empties the payloads past Retention:TransparencyPayloadDays that no obligation still needs.</summary>
    public static PayloadPrune PrunePayloads(NodeContext node) =>
        node.TransparencyLog.PrunePayloads(node.Settings.Retention.TransparencyPayloadDays, node.Time.GetUtcNow());
}
