using Dapper;
using VrsMsrc.Contracts.Transparency;

namespace VrsMsrc.Node.Tests;

/// <summary>The node's transparency log: appended on the hub's acknowledgement, once per release, and tamper-evident.</summary>
[Trait("Category", "Unit")]
public sealed class TransparencyLogTests : IDisposable
{
    private const string Header = "ref,detected_on,border_type,corridor,nationality,migrants\n";
    private readonly TempNode _node = new();

    public void Dispose() => _node.Dispose();

    /// <summary>Three releases built and acknowledged as the publisher does it, without a hub.</summary>
    private void ReleaseAndAcknowledge(int releases)
    {
        for (var r = 0; r < releases; r++)
        {
            _node.Import($"r{r}.csv", Header + string.Concat(Enumerable.Range(0, 15).Select(i => $"r{r}x{i},2025-0{1 + r}-0{1 + (i % 9)},sea,central_mediterranean,SYR,{3 + i}\n")));
            Assert.NotNull(_node.Context.Releases().Release());
            foreach (var entry in _node.Context.Outbox.Pending())
            {
                _node.Context.Outbox.MarkDelivered(entry.Seq, "Accepted");
            }
        }
    }

    private void Execute(string sql)
    {
        using var connection = _node.Context.Database.Open();
        connection.Execute(sql);
    }

    [Fact]
    public void Every_acknowledged_payload_is_logged_in_order_and_chained()
    {
        ReleaseAndAcknowledge(3);

        var entries = _node.Context.TransparencyLog.Entries();
        Assert.Equal([1L, 2L, 3L], entries.Select(e => e.Seq));
        Assert.Equal(TransparencyChain.Genesis, entries[0].PrevHash);
        Assert.Equal(entries[0].EntryHash, entries[1].PrevHash);
        Assert.Equal(TransparencyChain.EntryHash(entries[1].EntryHash, entries[2].PayloadSha256, entries[2].ReleaseId), entries[2].EntryHash);
        Assert.Equal((3L, entries[2].EntryHash), _node.Context.TransparencyLog.Head());
        Assert.Null(_node.Context.TransparencyLog.Verify().Break);
    }

    [Fact]
    public void A_second_acknowledgement_of_the_same_release_adds_no_entry()
    {
        ReleaseAndAcknowledge(1);
        var seq = _node.Context.Outbox.Counts().Delivered;

        _node.Context.Outbox.MarkDelivered(seq, "Duplicate");

        Assert.Single(_node.Context.TransparencyLog.Entries());
        Assert.Null(_node.Context.TransparencyLog.Verify().Break);
    }

    [Fact]
    public void A_release_not_yet_acknowledged_is_not_logged()
    {
        _node.Import("a.csv", Header + "a1,2025-01-02,sea,central_mediterranean,SYR,12\n");
        _node.Context.Releases().Release();

        Assert.Empty(_node.Context.TransparencyLog.Entries());
    }

    [Fact]
    public void One_changed_payload_byte_is_named_by_verify()
    {
        ReleaseAndAcknowledge(3);

        // Flip the last byte of the second release's stored payload.
        using (var connection = _node.Context.Database.Open())
        {
            var payload = connection.QuerySingle<byte[]>("SELECT payload FROM outbox_payloads WHERE seq = 2");
            payload[^1] ^= 0x01;
            connection.Execute("UPDATE outbox_payloads SET payload = @payload WHERE seq = 2", new { payload });
        }

        var broken = _node.Context.TransparencyLog.Verify().Break;
        Assert.NotNull(broken);
        Assert.Equal(2, broken.Seq);
        Assert.Contains("payload", broken.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("UPDATE transparency_log SET release_id = '0190a000-0000-7000-8000-000000000000' WHERE seq = 2", 2)]
    [InlineData("UPDATE transparency_log SET payload_sha256 = (SELECT payload_sha256 FROM transparency_log WHERE seq = 1) WHERE seq = 2", 2)]
    [InlineData("UPDATE transparency_log SET entry_hash = prev_hash WHERE seq = 1", 1)]
    [InlineData("DELETE FROM transparency_log WHERE seq = 2", 3)]
    public void One_edited_or_removed_log_row_is_named_by_verify(string tamper, long named)
    {
        ReleaseAndAcknowledge(3);
        Execute(tamper);

        var broken = _node.Context.TransparencyLog.Verify().Break;
        Assert.NotNull(broken);
        Assert.Equal(named, broken.Seq);
    }

    [Fact]
    public void A_log_row_rewritten_with_a_consistent_hash_still_fails_on_the_payload_or_the_next_entry()
    {
        ReleaseAndAcknowledge(3);
        var first = _node.Context.TransparencyLog.Entries()[0];
        var forged = new string('a', 64);
        Execute($"UPDATE transparency_log SET payload_sha256 = '{forged}', entry_hash = '{TransparencyChain.EntryHash(first.PrevHash, forged, first.ReleaseId)}' WHERE seq = 1");

        var broken = _node.Context.TransparencyLog.Verify().Break;
        Assert.NotNull(broken);
        Assert.Equal(1, broken.Seq);
    }
}
