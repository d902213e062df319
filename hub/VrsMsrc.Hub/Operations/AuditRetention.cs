using Dapper;
using VrsMsrc.Hub.Audit;
using VrsMsrc.Hub.Configuration;
using VrsMsrc.Hub.Storage;

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
    public static long Prune(HubDatabase database, IAuditLog audit, int days, DateTimeOffset now)
    {
        if (days == 0 || !audit.Verify().Intact)
        {
            return 0;
        }

        var cutoff = (now - TimeSpan.FromDays(days)).ToString("O");
        AuditAnchor? anchor;
        using (var connection = database.Open(readOnly: true))
        {
            anchor = connection.QuerySingleOrDefault<AuditAnchor>(
                "SELECT seq AS Seq, hash AS Hash FROM audit WHERE at < @cutoff AND seq < (SELECT MAX(seq) FROM audit) ORDER BY seq DESC LIMIT 1", new { cutoff });
        }

        if (anchor is null)
        {
            return 0;
        }

        audit.Append(Actor, AuditChain.PruneAction, AuditOutcome.Ok, AuditChain.PruneDetail(anchor));
        using (var connection = database.Open())
        {
            using var tx = connection.BeginTransaction();
            connection.Execute(
                """
                INSERT INTO audit_anchor (id, seq, hash, at) VALUES (1, @Seq, @Hash, @at)
                ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, at = excluded.at
                """, new { anchor.Seq, anchor.Hash, at = now.ToString("O") }, tx);
            var deleted = connection.Execute("DELETE FROM audit WHERE seq <= @Seq", new { anchor.Seq }, tx);
            tx.Commit();
            return deleted;
        }
    }
}

/// <summary>Runs the audit retention at the start of 'serve' and daily.</summary>
internal sealed class RetentionService(HubDatabase database, IAuditLog audit, HubSettings settings, TimeProvider time, ILogger<RetentionService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var deleted = AuditRetention.Prune(database, audit, settings.Retention.AuditDays, time.GetUtcNow());
            if (deleted > 0)
            {
                log.LogInformation("Retention: deleted {Entries} audit entries older than {Days} days; the chain now starts at an anchor recorded in the log", deleted, settings.Retention.AuditDays);
            }

            await Task.Delay(TimeSpan.FromDays(1), time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
