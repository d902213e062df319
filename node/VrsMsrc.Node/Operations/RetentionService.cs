using VrsMsrc.Node.Configuration;

namespace VrsMsrc.Node.Operations;

/// <summary>
/// Deletes rejects reports older than Retention:RejectsDays, at the start of 'serve' and daily. They
/// hold the rejected rows' raw values and serve only to correct the source; nothing else refers to
/// them (the imports table keeps the counts and the file name), so no obligation outlives them.
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
}
