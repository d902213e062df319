using System.Data.Common;
using Dapper;
using VrsMsrc.Hub.Storage;

namespace VrsMsrc.Hub.Audit;

internal sealed class SqliteAuditLog(HubDatabase database, TimeProvider time) : IAuditLog
{
    // Appends within this process queue here; BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default) orders
    // them against other processes, such as a 'vrs-hub pki sign' beside a running 'serve'.
    private readonly Lock _writer = new();

    private const string LastSql = "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1";

    private const string InsertSql =
        """
        INSERT INTO audit (seq, at, actor, action, outcome, detail, prev_hash, hash)
        VALUES (@Seq, @At, @Actor, @Action, @Outcome, @Detail, @PrevHash, @Hash)
        """;

    public AuditEntry Append(string actor, string action, string outcome, string detail)
    {
        lock (_writer)
        {
            using var connection = database.Open();
            using var tx = connection.BeginTransaction();
            var entry = Append(tx, actor, action, outcome, detail);
            tx.Commit();
            return entry;
        }
    }

    /// <summary>The caller's transaction holds SQLite's one write lock (BEGIN IMMEDIATE), so the head read here stays the head.</summary>
    public AuditEntry Append(DbTransaction transaction, string actor, string action, string outcome, string detail)
    {
        var connection = transaction.Connection!;
        var last = connection.QuerySingleOrDefault<(long Seq, string Hash)?>(LastSql, transaction: transaction);
        var entry = AuditChain.Next(last, time.GetUtcNow(), actor, action, outcome, detail);
        connection.Execute(InsertSql, entry, transaction);
        return entry;
    }

    private const string ReadSql =
        """
        SELECT seq AS Seq, at AS At, actor AS Actor, action AS Action, outcome AS Outcome, detail AS Detail,
               prev_hash AS PrevHash, hash AS Hash
        FROM audit
        WHERE seq > @AfterSeq
          AND (@Actor IS NULL OR actor = @Actor)
          AND (@ActionPrefix IS NULL OR substr(action, 1, length(@ActionPrefix)) = @ActionPrefix)
        ORDER BY seq LIMIT @Limit
        """;

    public IReadOnlyList<AuditEntry> Read(AuditFilter filter)
    {
        using var connection = database.Open(readOnly: true);
        return connection.Query<AuditEntry>(ReadSql, filter).ToList();
    }

    public AuditEntry? Last()
    {
        using var connection = database.Open(readOnly: true);
        return connection.QuerySingleOrDefault<AuditEntry>(AllSql + " DESC LIMIT 1");
    }

    private const string AllSql =
        "SELECT seq AS Seq, at AS At, actor AS Actor, action AS Action, outcome AS Outcome, detail AS Detail, prev_hash AS PrevHash, hash AS Hash FROM audit ORDER BY seq";

    public AuditVerification Verify()
    {
        using var connection = database.Open(readOnly: true);
        // Unbuffered: a log of millions of entries is verified in constant memory.
        var anchor = connection.QuerySingleOrDefault<AuditAnchor>(AuditAnchor.ReadSql);
        return AuditChain.Verify(connection.Query<AuditEntry>(AllSql, buffered: false), anchor);
    }

    public AuditAnchor? PruneCandidate(DateTimeOffset cutoff)
    {
        using var connection = database.Open(readOnly: true);
        return connection.QuerySingleOrDefault<AuditAnchor>(AuditAnchor.CandidateSql, new { cutoff = cutoff.ToString("O") });
    }

    public long PruneThrough(AuditAnchor anchor, DateTimeOffset at)
    {
        using var connection = database.Open();
        using var tx = connection.BeginTransaction();
        connection.Execute(AuditAnchor.RecordSql, new { anchor.Seq, anchor.Hash, at = at.ToString("O") }, tx);
        var deleted = connection.Execute("DELETE FROM audit WHERE seq <= @Seq", new { anchor.Seq }, tx);
        tx.Commit();
        return deleted;
    }
}
