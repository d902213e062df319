using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using VrsMsrc.Contracts.Transparency;
using VrsMsrc.Node.Storage;
using ReleaseMessage = VrsMsrc.Contracts.V1.Release;

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

/// <summary>The first entry that does not check out, and why.</summary>
internal sealed record LogBreak(long Seq, string ReleaseId, string Reason);

/// <summary>
/// What <see cref="TransparencyLog.Verify"/> found: the first break (null when every entry checks out), and how
/// many entries' payloads retention deleted, whose hashes were checked but whose bytes no longer can be.
/// </summary>
internal sealed record LogVerification(LogBreak? Break, long PrunedPayloads);

/// <summary>What <see cref="TransparencyLog.PrunePayloads"/> did: payloads deleted, or the break that stopped it.</summary>
internal sealed record PayloadPrune(long Pruned, LogBreak? Refused);

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
    /// A payload emptied by retention (<see cref="PrunePayloads"/>) is counted, not failed; one removed any
    /// other way is a break.
    /// </summary>
    public LogVerification Verify()
    {
        using var connection = database.Open(readOnly: true);
        using var tx = connection.BeginTransaction(deferred: true);
        return Verify(connection, tx);
    }

    /// <summary>
    /// Empties the stored payload of every delivered release acknowledged more than <paramref name="days"/>
    /// days before <paramref name="now"/> (0: none), keeping its hash in the outbox and the log. Never
    /// touched: pending and refused releases (delivery still needs their bytes; they are not in the log),
    /// and the newest delivered release of any month it covers (what the hub holds now, and what it would
    /// need again after restoring an older backup). A log that does not verify is evidence and is not pruned.
    /// </summary>
    public PayloadPrune PrunePayloads(int days, DateTimeOffset now)
    {
        if (days == 0)
        {
            return new(0, null);
        }

        using var connection = database.Open();
        using var tx = connection.BeginTransaction();
        if (Verify(connection, tx).Break is { } broken)
        {
            return new(0, broken);
        }

        // Which months each stored delivered payload covers, one payload in memory at a time. The newest
        // delivered release of a month is never pruned, so it is always among these.
        var covered = new List<(long OutboxSeq, string AcknowledgedAt, IReadOnlyList<string> Months)>();
        foreach (var row in connection.Query<(long OutboxSeq, string AcknowledgedAt, byte[] Payload)>(
            """
            SELECT o.seq, l.acknowledged_at, p.payload FROM transparency_log l JOIN outbox o ON o.seq = l.outbox_seq
            JOIN outbox_payloads p ON p.seq = o.seq
            WHERE o.state = 'delivered' AND o.payload_pruned_at IS NULL ORDER BY o.seq
            """, transaction: tx, buffered: false))
        {
            covered.Add((row.OutboxSeq, row.AcknowledgedAt, [.. ReleaseMessage.Parser.ParseFrom(row.Payload).Months.Select(m => m.Month)]));
        }

        var newest = covered.SelectMany(c => c.Months.Select(month => (month, c.OutboxSeq)))
            .GroupBy(m => m.month, StringComparer.Ordinal)
            .Select(g => g.Max(m => m.OutboxSeq))
            .ToHashSet();
        var cutoff = now - TimeSpan.FromDays(days);
        var prunable = covered
            .Where(c => !newest.Contains(c.OutboxSeq) && DateTimeOffset.Parse(c.AcknowledgedAt, CultureInfo.InvariantCulture) < cutoff)
            .Select(c => c.OutboxSeq)
            .ToList();
        connection.Execute("UPDATE outbox_payloads SET payload = x'' WHERE seq IN @prunable", new { prunable }, tx);
        connection.Execute("UPDATE outbox SET payload_pruned_at = @At WHERE seq IN @prunable", new { prunable, At = now.ToString("O") }, tx);
        tx.Commit();
        return new(prunable.Count, null);
    }

    private static LogVerification Verify(SqliteConnection connection, SqliteTransaction tx)
    {
        var previous = TransparencyChain.Genesis;
        var expectedSeq = 1L;
        var pruned = 0L;
        foreach (var entry in connection.Query<LogEntry>(SelectEntries, transaction: tx))
        {
            LogVerification Broken(string reason) => new(new LogBreak(entry.Seq, entry.ReleaseId, reason), pruned);
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

            var stored = connection.QuerySingleOrDefault<(byte[]? Payload, string Sha256, string? PrunedAt)?>(
                """
                SELECT p.payload, o.sha256, o.payload_pruned_at FROM outbox o LEFT JOIN outbox_payloads p ON p.seq = o.seq
                WHERE o.seq = @OutboxSeq AND o.release_id = @ReleaseId
                """, entry, tx);
            if (stored is not { Payload: { } payload } outbox || (payload.Length == 0 && outbox.PrunedAt is null))
            {
                return Broken($"the payload it logs (outbox entry {entry.OutboxSeq} of release {entry.ReleaseId}) is no longer stored, and retention did not remove it");
            }

            if (payload.Length == 0)
            {
                // Pruned by retention: the bytes are gone, but the outbox must still name the hash that was sent.
                if (!string.Equals(outbox.Sha256, entry.PayloadSha256, StringComparison.Ordinal))
                {
                    return Broken("its payload was pruned by retention, and the outbox no longer has the SHA-256 that was sent");
                }

                pruned++;
            }
            else if (!string.Equals(TransparencyChain.PayloadHash(payload), entry.PayloadSha256, StringComparison.Ordinal))
            {
                return Broken("the stored payload no longer has the SHA-256 that was sent");
            }

            previous = entry.EntryHash;
            expectedSeq++;
        }

        return new(null, pruned);
    }
}
