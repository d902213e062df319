using Dapper;
using Microsoft.Data.Sqlite;
using VrsMsrc.Node.Release;
using VrsMsrc.Node.Storage;
using VrsMsrc.Node.Transparency;

namespace VrsMsrc.Node.Outbox;

internal sealed record OutboxEntry(long Seq, string ReleaseId, string Sha256, long Attempts);

/// <summary>A release the hub refused, and why: what an operator must look at.</summary>
internal sealed record DeadLetter(string ReleaseId, string CreatedAt, long Months, string? Reason);

/// <summary>Settable properties because Dapper maps SQLite's loose types (NULL aggregates) onto them.</summary>
internal sealed class OutboxCounts
{
    public long Pending { get; set; }
    public long Delivered { get; set; }
    public long Dead { get; set; }
    public string? OldestPendingAt { get; set; }
    public string? LastDeliveredAt { get; set; }
    public string? LastError { get; set; }
}

/// <summary>Releases waiting for the hub, in the order they were made.</summary>
internal sealed class OutboxStore(NodeDatabase database, TimeProvider time)
{
    /// <summary>Queues a built release, in the transaction that records its months' new versions.</summary>
    public static void Enqueue(SqliteConnection connection, SqliteTransaction tx, BuiltRelease built)
    {
        var seq = connection.ExecuteScalar<long>(
            """
            INSERT INTO outbox (release_id, created_at, months, cells, sha256)
            VALUES (@ReleaseId, @CreatedAt, @months, @Cells, @Sha256Hex) RETURNING seq
            """,
            new { built.Release.ReleaseId, built.Release.CreatedAt, months = built.Release.Months.Count, built.Cells, built.Sha256Hex }, tx);
        connection.Execute("INSERT INTO outbox_payloads (seq, payload) VALUES (@seq, @Payload)", new { seq, built.Payload }, tx);
    }

    /// <summary>The releases waiting, oldest first; their bytes are read one at a time (<see cref="Payload"/>), not all at once.</summary>
    public IReadOnlyList<OutboxEntry> Pending()
    {
        using var connection = database.Open(readOnly: true);
        return connection.Query<OutboxEntry>(
            "SELECT seq AS Seq, release_id AS ReleaseId, sha256 AS Sha256, attempts AS Attempts FROM outbox WHERE state = 'pending' ORDER BY seq")
            .ToList();
    }

    /// <summary>The bytes of a waiting release, as they were released.</summary>
    public byte[] Payload(long seq)
    {
        using var connection = database.Open(readOnly: true);
        return connection.QuerySingle<byte[]>("SELECT payload FROM outbox_payloads WHERE seq = @seq", new { seq });
    }

    /// <summary>How many releases wait, without reading their bytes.</summary>
    public int PendingCount()
    {
        using var connection = database.Open(readOnly: true);
        return connection.ExecuteScalar<int>("SELECT COUNT(*) FROM outbox WHERE state = 'pending'");
    }

    /// <summary>The hub acknowledged the entry: it is delivered and, in the same transaction, logged as sent.</summary>
    public void MarkDelivered(long seq, string receipt)
    {
        var at = time.GetUtcNow();
        using var connection = database.Open();
        using var tx = connection.BeginTransaction();
        connection.Execute(
            "UPDATE outbox SET state = 'delivered', delivered_at = @At, receipt = @receipt, attempts = attempts + 1, last_error = NULL WHERE seq = @seq",
            new { seq, receipt, At = at.ToString("O") }, tx);
        TransparencyLog.Append(connection, tx, seq, receipt, at);
        tx.Commit();
    }

    /// <summary>A round ended before the oldest waiting release was acknowledged: counted on it, with why.</summary>
    public void MarkFailedAttempt(string error) => Update(
        "UPDATE outbox SET attempts = attempts + 1, last_error = @error WHERE seq = (SELECT MIN(seq) FROM outbox WHERE state = 'pending')", new { error });

    /// <summary>The hub refused the release for a reason retrying cannot fix; the operator must look.</summary>
    public void MarkDead(long seq, string reason) => Update(
        "UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_error = @reason WHERE seq = @seq", new { seq, reason });

    public IReadOnlyList<DeadLetter> DeadLetters()
    {
        using var connection = database.Open(readOnly: true);
        return connection.Query<DeadLetter>(
            "SELECT release_id AS ReleaseId, created_at AS CreatedAt, months AS Months, last_error AS Reason FROM outbox WHERE state = 'dead' ORDER BY seq")
            .ToList();
    }

    /// <summary>
    /// Puts refused releases back in the queue, unchanged (same id and bytes, so the hub still recognises a
    /// copy it has), for when the hub's side of the refusal was fixed. No ids: every refused release.
    /// Returns the ids requeued; an id that is not a refused release is an error, and nothing changes.
    /// </summary>
    public IReadOnlyList<string> Requeue(IReadOnlyCollection<string> releaseIds)
    {
        using var connection = database.Open();
        using var tx = connection.BeginTransaction();
        var dead = connection.Query<string>("SELECT release_id FROM outbox WHERE state = 'dead' ORDER BY seq", transaction: tx).ToList();
        var unknown = releaseIds.Except(dead, StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException($"not a refused release: {string.Join(", ", unknown)} (see 'vrs-node status')");
        }

        var chosen = releaseIds.Count == 0 ? dead : dead.Where(releaseIds.Contains).ToList();
        connection.Execute("UPDATE outbox SET state = 'pending' WHERE state = 'dead' AND release_id IN @chosen", new { chosen }, tx);
        tx.Commit();
        return chosen;
    }

    public OutboxCounts Counts()
    {
        using var connection = database.Open(readOnly: true);
        return connection.QuerySingle<OutboxCounts>(
            """
            SELECT COALESCE(SUM(state = 'pending'), 0) AS Pending, COALESCE(SUM(state = 'delivered'), 0) AS Delivered,
                   COALESCE(SUM(state = 'dead'), 0) AS Dead,
                   MIN(CASE WHEN state = 'pending' THEN created_at END) AS OldestPendingAt,
                   MAX(delivered_at) AS LastDeliveredAt,
                   (SELECT last_error FROM outbox WHERE last_error IS NOT NULL ORDER BY seq DESC LIMIT 1) AS LastError
            FROM outbox
            """);
    }

    private void Update(string sql, object parameters)
    {
        using var connection = database.Open();
        connection.Execute(sql, parameters);
    }
}
