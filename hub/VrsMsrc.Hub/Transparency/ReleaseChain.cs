using Dapper;
using System.Data;
using VrsMsrc.Contracts.Transparency;

namespace VrsMsrc.Hub.Transparency;

/// <summary>
/// The hub's copy of each node's transparency log: the same chain formula over the releases it accepted
/// from that node, so an operator (or the node's data-protection officer) can compare the two heads.
/// </summary>
internal static class ReleaseChain
{
    /// <summary>
    /// Called in the transaction that accepts the release, and only for an accepted one: a duplicate or a
    /// conflicting resend never reaches here, so a release is chained once. The caller orders appends of
    /// one state (SQLite's single writer, PostgreSQL's per-state lock), so the head read here stays the head.
    /// </summary>
    public static void Append(IDbConnection connection, IDbTransaction tx, string state, string releaseId, string sha256Hex, DateTimeOffset at)
    {
        var head = connection.QuerySingleOrDefault<(long Seq, string EntryHash)?>(
            "SELECT seq, entry_hash FROM release_chain WHERE state = @state ORDER BY seq DESC LIMIT 1", new { state }, tx);
        var previous = head?.EntryHash ?? TransparencyChain.Genesis;
        connection.Execute(
            """
            INSERT INTO release_chain (state, seq, release_id, payload_sha256, prev_hash, entry_hash, accepted_at)
            VALUES (@state, @Seq, @releaseId, @sha256Hex, @previous, @EntryHash, @At)
            """,
            new
            {
                state, Seq = (head?.Seq ?? 0) + 1, releaseId, sha256Hex, previous,
                EntryHash = TransparencyChain.EntryHash(previous, sha256Hex, releaseId), At = at.ToString("O"),
            }, tx);
    }
}
