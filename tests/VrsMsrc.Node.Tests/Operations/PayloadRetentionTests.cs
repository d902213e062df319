using System.Security.Cryptography;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Node.Configuration;
using VrsMsrc.Node.Operations;
using VrsMsrc.Node.Transparency;

namespace VrsMsrc.Node.Tests.Operations;

/// <summary>
/// Retention:TransparencyPayloadDays: old delivered payloads lose their bytes but not their hashes; pending,
/// refused and the newest delivered release of each month keep theirs; 'log --verify' tells pruned from removed.
/// </summary>
[Trait("Category", "Unit")]
public sealed class PayloadRetentionTests : IDisposable
{
    private const string Header = "ref,detected_on,border_type,corridor,nationality,migrants\n";
    private const int Days = 365;
    private readonly TempNode _node = new();
    private int _rows;

    public void Dispose() => _node.Dispose();

    /// <summary>Long enough after every acknowledgement of the test for <see cref="Days"/> to have passed.</summary>
    private static DateTimeOffset NextYear => DateTimeOffset.UtcNow.AddDays(Days + 30);

    private TransparencyLog Log => _node.Context.TransparencyLog;

    /// <summary>Imports rows in the given months and releases them; the release's outbox seq.</summary>
    private long Release(params string[] months)
    {
        var rows = months.SelectMany(m => Enumerable.Range(1, 5).Select(day => $"x{_rows++},{m}-0{day},sea,central_mediterranean,SYR,{2 + day}\n"));
        _node.Import($"f{_rows}.csv", Header + string.Concat(rows));
        var built = _node.Context.Releases().Release();
        Assert.NotNull(built);
        return _node.Context.Outbox.Pending().Single(e => e.ReleaseId == built.Release.ReleaseId).Seq;
    }

    private long Delivered(params string[] months)
    {
        var seq = Release(months);
        _node.Context.Outbox.MarkDelivered(seq, "Accepted");
        return seq;
    }

    /// <summary>
    /// January three times (the third with February's first version), February again, March refused, March
    /// again still pending: only the first two Januaries are neither pending, refused nor a month's newest.
    /// </summary>
    private (long[] Old, long[] Kept) History()
    {
        var jan1 = Delivered("2025-01");
        var jan2 = Delivered("2025-01");
        var jan3Feb1 = Delivered("2025-01", "2025-02");
        var feb2 = Delivered("2025-02");
        var mar1 = Release("2025-03");
        _node.Context.Outbox.MarkDead(mar1, "refused for the test");
        var mar2 = Release("2025-03");
        return ([jan1, jan2], [jan3Feb1, feb2, mar1, mar2]);
    }

    private (byte[] Payload, string Sha256, string? PrunedAt) Stored(long seq)
    {
        using var connection = _node.Context.Database.Open(readOnly: true);
        return connection.QuerySingle<(byte[], string, string?)>("SELECT p.payload, o.sha256, o.payload_pruned_at FROM outbox o JOIN outbox_payloads p ON p.seq = o.seq WHERE o.seq = @seq", new { seq });
    }

    private void AssertIntact(long seq)
    {
        var (payload, sha256, prunedAt) = Stored(seq);
        Assert.Equal(sha256, Convert.ToHexStringLower(SHA256.HashData(payload)));
        Assert.Null(prunedAt);
    }

    [Fact]
    public void Old_delivered_payloads_are_pruned_and_pending_refused_and_each_months_newest_kept()
    {
        var (old, kept) = History();
        var entries = Log.Entries();
        var head = Log.Head();

        var prune = Log.PrunePayloads(Days, NextYear);

        Assert.Equal(new PayloadPrune(2, null), prune);
        foreach (var seq in old)
        {
            var (payload, sha256, prunedAt) = Stored(seq);
            Assert.Empty(payload);
            Assert.Equal(entries.Single(e => e.OutboxSeq == seq).PayloadSha256, sha256);
            Assert.NotNull(prunedAt);
        }

        foreach (var seq in kept)
        {
            AssertIntact(seq);
        }

        // The log itself is untouched: same entries, same head, and the chain verifies.
        Assert.Equivalent(entries, Log.Entries(), strict: true);
        Assert.Equal(head, Log.Head());
        Assert.Equal(new LogVerification(null, 2), Log.Verify());
        // Nothing more to prune, and a second run changes nothing.
        Assert.Equal(new PayloadPrune(0, null), Log.PrunePayloads(Days, NextYear));
    }

    [Fact]
    public void Log_verify_reports_the_pruned_payloads_and_still_names_one_removed_by_hand()
    {
        var (_, kept) = History();
        Assert.StartsWith("Transparency log intact: 4 entries, every payload matches its hash; head ", LogCommand.Verified(Log), StringComparison.Ordinal);
        Log.PrunePayloads(Days, NextYear);

        Assert.Equal(
            $"Transparency log intact: 4 entries, every stored payload matches its hash, 2 payloads pruned by retention (their hashes checked); head {Log.Head().Head}",
            LogCommand.Verified(Log));

        // February's newest payload emptied outside retention: a break, not a prune.
        using (var connection = _node.Context.Database.Open())
        {
            connection.Execute("UPDATE outbox_payloads SET payload = x'' WHERE seq = @seq", new { seq = kept[1] });
        }

        var broken = Log.Verify();
        Assert.Equal(2, broken.PrunedPayloads);
        Assert.NotNull(broken.Break);
        Assert.Equal(4, broken.Break.Seq);
        Assert.Contains("no longer stored, and retention did not remove it", broken.Break.Reason, StringComparison.Ordinal);
        var error = Assert.Throws<CommandException>(() => LogCommand.Verified(Log));
        Assert.StartsWith("transparency log broken at entry 4 ", error.Message, StringComparison.Ordinal);

        // A broken log is evidence: retention prunes nothing more.
        Assert.Equal(broken.Break, Log.PrunePayloads(Days, NextYear.AddDays(Days)).Refused);
    }

    [Fact]
    public void A_pruned_payloads_hash_changed_in_the_outbox_is_a_break()
    {
        var (old, _) = History();
        Log.PrunePayloads(Days, NextYear);
        using (var connection = _node.Context.Database.Open())
        {
            connection.Execute("UPDATE outbox SET sha256 = @forged WHERE seq = @seq", new { forged = new string('a', 64), seq = old[1] });
        }

        var broken = Log.Verify().Break;
        Assert.NotNull(broken);
        Assert.Equal(2, broken.Seq);
    }

    [Fact]
    public void Retention_zero_or_payloads_younger_than_the_retention_prune_nothing()
    {
        var (old, kept) = History();

        Assert.Equal(0, _node.Context.Settings.Retention.TransparencyPayloadDays);
        Assert.Equal(new PayloadPrune(0, null), RetentionService.PrunePayloads(_node.Context));
        Assert.Equal(new PayloadPrune(0, null), Log.PrunePayloads(0, NextYear));
        Assert.Equal(new PayloadPrune(0, null), Log.PrunePayloads(Days, DateTimeOffset.UtcNow.AddDays(Days - 1)));

        foreach (var seq in old.Concat(kept))
        {
            AssertIntact(seq);
        }

        Assert.Equal(new LogVerification(null, 0), Log.Verify());
    }

    [Fact]
    public void Serves_retention_prunes_by_the_setting_in_node_json()
    {
        History();
        (_node.Context.Settings with { Retention = new NodeRetention { TransparencyPayloadDays = Days } }).Save(_node.Context.Paths);
        var node = new NodeContext(_node.Context.Paths, new FakeTimeProvider(NextYear));

        Assert.Equal(new PayloadPrune(2, null), RetentionService.PrunePayloads(node));
        Assert.Equal(new LogVerification(null, 2), node.TransparencyLog.Verify());
    }

    [Fact]
    public void The_exchange_goes_on_after_a_prune()
    {
        var (_, kept) = History();
        Log.PrunePayloads(Days, NextYear);

        // The refused March is requeued and delivered with its bytes, then the pending one and a new April.
        Assert.Single(_node.Context.Outbox.Requeue([]));
        var april = Release("2025-04");
        var pending = _node.Context.Outbox.Pending();
        Assert.Equal([kept[2], kept[3], april], pending.Select(e => e.Seq));
        foreach (var entry in pending)
        {
            Assert.Equal(entry.Sha256, Convert.ToHexStringLower(SHA256.HashData(_node.Context.Outbox.Payload(entry.Seq))));
            _node.Context.Outbox.MarkDelivered(entry.Seq, "Accepted");
        }

        var entries = Log.Entries();
        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L, 7L], entries.Select(e => e.Seq));
        Assert.Equal([kept[2], kept[3], april], entries.Skip(4).Select(e => e.OutboxSeq));
        Assert.Equal(new LogVerification(null, 2), Log.Verify());

        // The first March is now delivered and no longer its month's newest: the next prune takes it.
        Assert.Equal(new PayloadPrune(1, null), Log.PrunePayloads(Days, NextYear));
        Assert.Empty(Stored(kept[2]).Payload);
        Assert.Equal(new LogVerification(null, 3), Log.Verify());
    }
}
