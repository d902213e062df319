using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace VrsMsrc.Hub.Audit;

/// <summary>One line of the audit log as stored; Hash covers every other field and the previous entry's hash.</summary>
internal sealed record AuditEntry(long Seq, string At, string Actor, string Action, string Outcome, string Detail, string PrevHash, string Hash)
{
    /// <summary>The hash a genuine entry with these fields has.</summary>
    public string ComputeHash() => AuditChain.Hash(PrevHash, Seq, At, Actor, Action, Outcome, Detail);
}

/// <summary>Outcome words the log uses, so that readers and tests can filter on them.</summary>
internal static class AuditOutcome
{
    public const string Ok = "ok";
    public const string Accepted = "accepted";
    public const string Duplicate = "duplicate";
    public const string Refused = "refused";
}

/// <summary>Where the kept audit log starts after a retention prune: the last deleted entry's sequence number and hash.</summary>
internal sealed record AuditAnchor(long Seq, string Hash)
{
    /// <summary>The statements of a retention prune, the same SQL on SQLite and PostgreSQL.</summary>
    public const string CandidateSql =
        "SELECT seq AS Seq, hash AS Hash FROM audit WHERE at < @cutoff AND seq < (SELECT MAX(seq) FROM audit) ORDER BY seq DESC LIMIT 1";

    public const string RecordSql =
        """
        INSERT INTO audit_anchor (id, seq, hash, at) VALUES (1, @Seq, @Hash, @at)
        ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, at = excluded.at
        """;

    public const string ReadSql = "SELECT seq AS Seq, hash AS Hash FROM audit_anchor WHERE id = 1";
}

/// <summary>The first break found by a verification, or null for an intact chain.</summary>
internal sealed record AuditBreak(long Seq, string Reason);

internal sealed record AuditVerification(long Entries, string HeadHash, AuditBreak? Break)
{
    public bool Intact => Break is null;
}

/// <summary>What to read back from the log; all filters optional.</summary>
internal sealed record AuditFilter(long AfterSeq = 0, string? Actor = null, string? ActionPrefix = null, int Limit = 1000);

/// <summary>
/// The append-only, hash-chained audit log (DESIGN §5). One interface so that the PostgreSQL hub can
/// keep its own implementation with the same chain rule.
/// </summary>
internal interface IAuditLog
{
    /// <summary>Appends one entry; fails (throws) rather than let an audited act go unrecorded.</summary>
    AuditEntry Append(string actor, string action, string outcome, string detail);

    /// <summary>
    /// Appends one entry in the caller's open transaction on this log's database: the entry is stored with
    /// what that transaction stores, or not at all (a push's entry with the release it applies).
    /// </summary>
    AuditEntry Append(DbTransaction transaction, string actor, string action, string outcome, string detail);

    IReadOnlyList<AuditEntry> Read(AuditFilter filter);

    /// <summary>The newest entry, or null for an empty log.</summary>
    AuditEntry? Last();

    /// <summary>Recomputes the whole chain and reports the first entry that does not fit.</summary>
    AuditVerification Verify();

    /// <summary>The newest entry older than <paramref name="cutoff"/> that is not the head: where a retention prune may end.</summary>
    AuditAnchor? PruneCandidate(DateTimeOffset cutoff);

    /// <summary>
    /// Records <paramref name="anchor"/> as where the kept chain starts and deletes every entry up to it, in
    /// one transaction; the database refuses to delete past the recorded anchor. Returns the entries deleted.
    /// </summary>
    long PruneThrough(AuditAnchor anchor, DateTimeOffset at);
}

/// <summary>The chain rule, kept apart from storage so every store computes it the same way.</summary>
internal static class AuditChain
{
    public static readonly string Genesis = new('0', 64);

    /// <summary>
    /// SHA-256 over the previous hash and a canonical text of the entry. The canonical text is a JSON
    /// array of the fields, which cannot be made ambiguous by separators inside a field.
    /// </summary>
    public static string Hash(string prevHash, long seq, string at, string actor, string action, string outcome, string detail)
    {
        var canonical = JsonSerializer.Serialize(new[] { seq.ToString(CultureInfo.InvariantCulture), at, actor, action, outcome, detail });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(prevHash + "\n" + canonical)));
    }

    /// <summary>The entry that follows <paramref name="last"/> (the head's seq and hash; null for an empty log).</summary>
    public static AuditEntry Next((long Seq, string Hash)? last, DateTimeOffset at, string actor, string action, string outcome, string detail)
    {
        var seq = (last?.Seq ?? 0) + 1;
        var prev = last?.Hash ?? Genesis;
        var time = at.ToString("O");
        return new AuditEntry(seq, time, actor, action, outcome, detail, prev, Hash(prev, seq, time, actor, action, outcome, detail));
    }

    /// <summary>Action of the entry a retention prune appends before deleting up to its anchor.</summary>
    public const string PruneAction = "audit.prune";

    /// <summary>The detail of the prune entry that records <paramref name="anchor"/>: verification looks for exactly this.</summary>
    public static string PruneDetail(AuditAnchor anchor) => Detail(("through", anchor.Seq), ("anchor", anchor.Hash));

    /// <summary>
    /// Walks entries in order; entries must be complete (no filter) for the chain to be judged. After a
    /// retention prune the walk starts at the anchor, and the kept chain must hold the prune entry that
    /// names it: deleting old entries without that record shows as a break.
    /// </summary>
    public static AuditVerification Verify(IEnumerable<AuditEntry> entries, AuditAnchor? anchor = null)
    {
        var previous = anchor?.Hash ?? Genesis;
        long expectedSeq = anchor is null ? 0 : anchor.Seq + 1, count = 0;
        var pruneRecorded = anchor is null;
        foreach (var entry in entries)
        {
            pruneRecorded = pruneRecorded || (entry.Action == PruneAction && entry.Detail == PruneDetail(anchor!));
            count++;
            if (expectedSeq != 0 && entry.Seq != expectedSeq)
            {
                return new(count, previous, new AuditBreak(entry.Seq, $"entries {expectedSeq}..{entry.Seq - 1} are missing"));
            }

            if (entry.PrevHash != previous)
            {
                return new(count, previous, new AuditBreak(entry.Seq, $"does not follow entry {entry.Seq - 1}: its previous-hash differs from that entry's hash"));
            }

            if (entry.ComputeHash() != entry.Hash)
            {
                return new(count, previous, new AuditBreak(entry.Seq, "was altered: its content does not match its hash"));
            }

            previous = entry.Hash;
            expectedSeq = entry.Seq + 1;
        }

        return pruneRecorded
            ? new(count, previous, null)
            : new(count, previous, new AuditBreak(anchor!.Seq + 1, $"starts after entry {anchor.Seq}, but no {PruneAction} entry records that the entries before were pruned"));
    }

    /// <summary>Detail text as a compact JSON object, in the order given; values are written as text.</summary>
    public static string Detail(params (string Key, object? Value)[] fields)
    {
        using var buffer = new MemoryStream();
        // Relaxed escaping keeps quotes and '+' readable in 'vrs-hub audit'; the text is data, never HTML.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            foreach (var (key, value) in fields)
            {
                switch (value)
                {
                    case null:
                        json.WriteNull(key);
                        break;
                    case long or int:
                        json.WriteNumber(key, Convert.ToInt64(value, CultureInfo.InvariantCulture));
                        break;
                    case IEnumerable<string> list:
                        json.WriteStartArray(key);
                        foreach (var item in list)
                        {
                            json.WriteStringValue(item);
                        }

                        json.WriteEndArray();
                        break;
                    default:
                        json.WriteString(key, Convert.ToString(value, CultureInfo.InvariantCulture));
                        break;
                }
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}

/// <summary>How the log names who acted.</summary>
internal static class AuditActor
{
    public const string Anonymous = "anonymous";

    public static string Node(string state) => "node:" + state;

    public static string User(string account) => "user:" + account;

    /// <summary>An operator at the hub's own machine; the login name is what the OS tells us.</summary>
    public static string Cli() => "cli:" + Environment.UserName;
}
