using VrsMsrc.Hub.Audit;

namespace VrsMsrc.Hub.Tests.Security;

[Trait("Category", "Unit")]
public sealed class AuditChainTests
{
    private static List<AuditEntry> Chain(int count)
    {
        var entries = new List<AuditEntry>();
        var previous = AuditChain.Genesis;
        for (var seq = 1; seq <= count; seq++)
        {
            var at = $"2026-01-01T00:00:{seq:D2}Z";
            var hash = AuditChain.Hash(previous, seq, at, "user:a", "query.series", "ok", $"{{\"n\":{seq}}}");
            entries.Add(new AuditEntry(seq, at, "user:a", "query.series", "ok", $"{{\"n\":{seq}}}", previous, hash));
            previous = hash;
        }

        return entries;
    }

    [Fact]
    public void An_untouched_chain_is_intact_and_its_head_is_the_last_hash()
    {
        var entries = Chain(5);
        var result = AuditChain.Verify(entries);
        Assert.True(result.Intact);
        Assert.Equal(5, result.Entries);
        Assert.Equal(entries[^1].Hash, result.HeadHash);
    }

    [Fact]
    public void A_changed_field_names_its_entry()
    {
        var entries = Chain(5);
        entries[2] = entries[2] with { Actor = "user:b" };
        Assert.Equal(new AuditBreak(3, "was altered: its content does not match its hash"), AuditChain.Verify(entries).Break);
    }

    [Fact]
    public void A_rehashed_entry_breaks_the_link_of_the_next_one()
    {
        var entries = Chain(5);
        var forged = entries[2] with { Detail = "{}" };
        entries[2] = forged with { Hash = forged.ComputeHash() };
        Assert.Equal(4, AuditChain.Verify(entries).Break?.Seq);
    }

    [Fact]
    public void A_deleted_entry_is_found()
    {
        var entries = Chain(5);
        entries.RemoveAt(1);
        var broken = AuditChain.Verify(entries).Break;
        Assert.Equal(3, broken?.Seq);
        Assert.Contains("missing", broken?.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Field_boundaries_cannot_be_shifted()
    {
        // "a|b" + "c" and "a" + "b|c" must not hash alike, whatever separator a naive format would use.
        Assert.NotEqual(
            AuditChain.Hash(AuditChain.Genesis, 1, "t", "a\nb", "c", "ok", ""),
            AuditChain.Hash(AuditChain.Genesis, 1, "t", "a", "b\nc", "ok", ""));
    }
}
