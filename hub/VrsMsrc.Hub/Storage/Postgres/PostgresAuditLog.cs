using System.Data.Common;
using Dapper;
using Npgsql;
using VrsMsrc.Hub.Audit;

namespace VrsMsrc.Hub.Storage.Postgres;

/// <summary>
/// The audit log on PostgreSQL. Every hub process appends to one chain: an advisory lock on the chain's
/// head makes each append read the true last entry, and the primary key on seq refuses a fork even if
/// something bypassed the lock.
/// </summary>
internal sealed class PostgresAuditLog(PostgresDatabase database, TimeProvider time) : IAuditLog
{
    // Appends are serial by nature (one chain). The advisory lock orders them across processes; this
    // in-process queue only keeps this process's appends from each holding a pooled connection while
    // they wait for that lock.
    private readonly Lock _queue = new();

    private const string Columns =
        "seq AS Seq, at AS At, actor AS Actor, action AS Action, outcome AS Outcome, detail AS Detail, prev_hash AS PrevHash, hash AS Hash";

    public AuditEntry Append(string actor, string action, string outcome, string detail)
    {
        lock (_queue)
        {
            return AppendUnderLock(actor, action, outcome, detail);
        }
    }

    private AuditEntry AppendUnderLock(string actor, string action, string outcome, string detail)
    {
        using var connection = database.Open();
        return PostgresDatabase.InTransaction(connection, () => AppendIn(connection, null, actor, action, outcome, detail));
    }

    /// <summary>Takes the chain's head lock in the caller's transaction (held to its end), so call it last before the commit.</summary>
    public AuditEntry Append(DbTransaction transaction, string actor, string action, string outcome, string detail) =>
        AppendIn((NpgsqlConnection)transaction.Connection!, (NpgsqlTransaction)transaction, actor, action, outcome, detail);

    private AuditEntry AppendIn(NpgsqlConnection connection, NpgsqlTransaction? tx, string actor, string action, string outcome, string detail)
    {
        AdvisoryLocks.Take(connection, tx, AdvisoryLocks.AuditHead, "audit");
        var last = connection.QuerySingleOrDefault<(long Seq, string Hash)?>("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", transaction: tx);
        var entry = AuditChain.Next(last, time.GetUtcNow(), actor, action, outcome, detail);
        connection.Execute(
            """
            INSERT INTO audit (seq, at, actor, action, outcome, detail, prev_hash, hash)
            VALUES (@Seq, @At, @Actor, @Action, @Outcome, @Detail, @PrevHash, @Hash)
            """,
            entry, tx);
        return entry;
    }

    public IReadOnlyList<AuditEntry> Read(AuditFilter filter)
    {
        using var connection = database.Open();
        return connection.Query<AuditEntry>(
            $"""
            SELECT {Columns} FROM audit
            WHERE seq > @AfterSeq
              AND (@Actor::text IS NULL OR actor = @Actor)
              AND (@ActionPrefix::text IS NULL OR starts_with(action, @ActionPrefix))
            ORDER BY seq LIMIT @Limit
            """,
            filter).ToList();
    }

    public AuditEntry? Last()
    {
        using var connection = database.Open();
        return connection.QuerySingleOrDefault<AuditEntry>($"SELECT {Columns} FROM audit ORDER BY seq DESC LIMIT 1");
    }

    public AuditVerification Verify()
    {
        using var connection = database.Open();
        // Unbuffered: a log of millions of entries is verified in constant memory.
        var anchor = connection.QuerySingleOrDefault<AuditAnchor>(AuditAnchor.ReadSql);
        return AuditChain.Verify(connection.Query<AuditEntry>($"SELECT {Columns} FROM audit ORDER BY seq", buffered: false), anchor);
    }

    public AuditAnchor? PruneCandidate(DateTimeOffset cutoff)
    {
        using var connection = database.Open();
        return connection.QuerySingleOrDefault<AuditAnchor>(AuditAnchor.CandidateSql, new { cutoff = cutoff.ToString("O") });
    }

    public long PruneThrough(AuditAnchor anchor, DateTimeOffset at)
    {
        using var connection = database.Open();
        return PostgresDatabase.InTransaction(connection, () =>
        {
            // Under the head's lock, so that no append interleaves with moving the start of the chain.
            AdvisoryLocks.Take(connection, null, AdvisoryLocks.AuditHead, "audit");
            connection.Execute(AuditAnchor.RecordSql, new { anchor.Seq, anchor.Hash, at = at.ToString("O") });
            return (long)connection.Execute("DELETE FROM audit WHERE seq <= @Seq", new { anchor.Seq });
        });
    }
}
