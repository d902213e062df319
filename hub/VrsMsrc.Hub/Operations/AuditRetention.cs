using VrsMsrc.Hub.Audit;
using VrsMsrc.Hub.Configuration;

namespace VrsMsrc.Hub.Operations;

/// <summary>
/// Deletes audit entries older than Retention:AuditDays without losing the chain's proof: it first appends
/// an 'audit.prune' entry naming the anchor (the last entry to go, and its hash), then records the anchor
/// and deletes up to it in one transaction. Verification starts at the anchor and requires that entry.
/// The newest entry (the head an operator notes off the machine) is never deleted, and a chain that does
/// not verify is never pruned: it is evidence.
/// </summary>
internal static class AuditRetention
{
    public const string Actor = "hub:retention";

    /// <summary>Entries deleted (0 when retention is off, nothing is old enough, or the chain is broken).</summary>
    public static long Prune(IAuditLog audit, int days, DateTimeOffset now)
    {
        if (days == 0 || !audit.Verify().Intact || audit.PruneCandidate(now - TimeSpan.FromDays(days)) is not { } anchor)
        {
            return 0;
        }

        audit.Append(Actor, AuditChain.PruneAction, AuditOutcome.Ok, AuditChain.PruneDetail(anchor));
        return audit.PruneThrough(anchor, now);
    }
}

/// <summary>Runs the audit retention at the start of 'serve' and daily.</summary>
internal sealed class RetentionService(IAuditLog audit, HubSettings settings, TimeProvider time, ILogger<RetentionService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var deleted = AuditRetention.Prune(audit, settings.Retention.AuditDays, time.GetUtcNow());
            if (deleted > 0)
            {
                log.LogInformation("Retention: deleted {Entries} audit entries older than {Days} days; the chain now starts at an anchor recorded in the log", deleted, settings.Retention.AuditDays);
            }

            await Task.Delay(TimeSpan.FromDays(1), time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
