using System.Data;
using Dapper;
using Microsoft.Data.Sqlite;
using VrsMsrc.Contracts.Transparency;
using VrsMsrc.Node.Storage;

namespace VrsMsrc.Node.Transparency;

/// <summary>One entry of the transparency log; settable properties because Dapper maps SQLite's loose types onto them.</summary>
internal sealed class LogEntry
{
    public long Seq { get; set; }
    public string ReleaseId { get; set; } = "";
    public long OutboxSeq { get; set; }
    public string PayloadSha256 { get; set; } = "";
    public string PrevHash { get; set; } = "";
    public string EntryHash { get; set; } = "";
    public string CreatedAt { get; set; } = "";
    public string AcknowledgedAt { get; set; } = "";
    public string Receipt { get; set; } = "";
}

/// <summary>The first entry that does not check out, and why; null from <see cref="TransparencyLog.Verify"/> when all do.</summary>
internal sealed record LogBreak(long Seq, string ReleaseId, string Reason);

/// <summary>
/// The node's tamper-evident record of every payload the hub acknowledged (DESIGN §3.5), chained with
/// the formula the hub uses for its own copy (<see cref="TransparencyChain"/>), so both heads compare.
/// </summary>
internal sealed class TransparencyLog(NodeDatabase database)
{
    private const string SelectEntries =
        """
        SELECT seq AS Seq, release_id AS ReleaseId, outbox_seq AS OutboxSeq, payload_sha256 AS PayloadSha256,
               prev_hash AS PrevHash, entry_hash AS EntryHash, created_at AS CreatedAt,
               acknowledged_at AS AcknowledgedAt, receipt AS Receipt
        FROM transparency_log ORDER BY seq
        """;

    /// <summary>
    /// Appends the acknowledged outbox entry, in the caller's transaction so that "delivered" and "logged"
    /// never disagree. A release already logged (a resend the hub answered DUPLICATE) adds nothing.
    /// </summary>
    public static void Append(SqliteConnection connection, SqliteTransaction tx, long outboxSeq, string receipt, DateTimeOffset at)
    {
        var sent = connection.QuerySingle<(string ReleaseId, string Sha256, string CreatedAt)>(
            "SELECT release_id, sha256, created_at FROM outbox WHERE seq = @outboxSeq", new { outboxSeq }, tx);
        if (connection.ExecuteScalar<long>("SELECT COUNT(*) FROM transparency_log WHERE release_id = @ReleaseId", new { sent.ReleaseId }, tx) > 0)
        {
            return;
        }

        var head = connection.QuerySingleOrDefault<(long Seq, string EntryHash)?>(
            "SELECT seq, entry_hash FROM transparency_log ORDER BY seq DESC LIMIT 1", transaction: tx);
        var previous = head?.EntryHash ?? TransparencyChain.Genesis;
        connection.Execute(
            """
            INSERT INTO transparency_log (seq, release_id, outbox_seq, payload_sha256, prev_hash, entry_hash, created_at, acknowledged_at, receipt)
            VALUES (@Seq, @ReleaseId, @outboxSeq, @Sha256, @previous, @EntryHash, @CreatedAt, @At, @receipt)
            """,
            new
            {
                Seq = (head?.Seq ?? 0) + 1, sent.ReleaseId, outboxSeq, sent.Sha256, previous,
                EntryHash = TransparencyChain.EntryHash(previous, sent.Sha256, sent.ReleaseId),
                sent.CreatedAt, At = at.ToString("O"), receipt,
            }, tx);
    }

    public IReadOnlyList<LogEntry> Entries()
    {
        using var connection = database.Open(readOnly: true);
        return connection.Query<LogEntry>(SelectEntries).ToList();
    }

    /// <summary>(entries, hash of the last) — what the hub's chain head for this node must equal.</summary>
    public (long Length, string Head) Head()
    {
        using var connection = database.Open(readOnly: true);
        var head = connection.QuerySingleOrDefault<(long Seq, string EntryHash)?>("SELECT seq, entry_hash FROM transparency_log ORDER BY seq DESC LIMIT 1");
        return head is { } h ? (h.Seq, h.EntryHash) : (0, TransparencyChain.Genesis);
    }

    /// <summary>
    /// Recomputes the chain from the start and re-hashes every stored payload; the first entry that fails
    /// is reported. A payload changed after sending, an edited row, or an entry removed or inserted all show.
    /// </summary>
    public LogBreak? Verify()
    {
        using var connection = database.Open(readOnly: true);
        var previous = TransparencyChain.Genesis;
        var expectedSeq = 1L;
        foreach (var entry in connection.Query<LogEntry>(SelectEntries))
        {
            LogBreak Broken(string reason) => new(entry.Seq, entry.ReleaseId, reason);
            if (entry.Seq != expectedSeq)
            {
                return Broken($"expected entry {expectedSeq} here: an entry is missing");
            }

            if (!string.Equals(entry.PrevHash, previous, StringComparison.Ordinal))
            {
                return Broken("its previous-entry hash is not the hash of the entry before it");
            }

            if (!string.Equals(entry.EntryHash, TransparencyChain.EntryHash(previous, entry.PayloadSha256, entry.ReleaseId), StringComparison.Ordinal))
            {
                return Broken("its entry hash does not match its contents");
            }

            var payload = PayloadOf(connection, entry);
            if (payload is null)
            {
                return Broken($"the payload it logs (outbox entry {entry.OutboxSeq} of release {entry.ReleaseId}) is no longer stored");
            }

            if (!string.Equals(TransparencyChain.PayloadHash(payload), entry.PayloadSha256, StringComparison.Ordinal))
            {
                return Broken("the stored payload no longer has the SHA-256 that was sent");
            }

            previous = entry.EntryHash;
            expectedSeq++;
        }

        return null;
    }

    private static byte[]? PayloadOf(IDbConnection connection, LogEntry entry) => connection.QuerySingleOrDefault<byte[]>(
        "SELECT payload FROM outbox WHERE seq = @OutboxSeq AND release_id = @ReleaseId", new { entry.OutboxSeq, entry.ReleaseId });
}
