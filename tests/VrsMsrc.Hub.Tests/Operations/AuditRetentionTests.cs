using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using VrsMsrc.Hub.Audit;
using VrsMsrc.Hub.Operations;

namespace VrsMsrc.Hub.Tests.Operations;

/// <summary>Retention of the audit log keeps the chain verifiable: from a recorded anchor, with the head always kept.</summary>
public abstract class AuditRetentionTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly TempHubStore _store;
    private readonly IAuditLog _audit;

    protected AuditRetentionTests(StoreProvider provider)
    {
        _store = new TempHubStore(provider);
        _audit = _store.Audit(_time);
        for (var day = 0; day < 100; day++)
        {
            _audit.Append("cli:test", "test.act", AuditOutcome.Ok, AuditChain.Detail(("day", day)));
            _time.Advance(TimeSpan.FromDays(5));
        }
    }

    [Fact]
    public void Old_entries_go_the_chain_still_verifies_and_the_prune_is_itself_audited()
    {
        var before = _audit.Verify();
        Assert.Equal(100, before.Entries);

        // Now is day 500: entries of days 0..130 (5 days apart) are older than a year.
        var deleted = AuditRetention.Prune(_audit, 365, _time.GetUtcNow());
        Assert.Equal(27, deleted);

        var after = _audit.Verify();
        Assert.True(after.Intact, after.Break?.Reason);
        Assert.Equal(100 - 27 + 1, after.Entries);
        var prune = _audit.Last()!;
        Assert.Equal((AuditRetention.Actor, AuditChain.PruneAction), (prune.Actor, prune.Action));
        Assert.Equal(before.HeadHash, prune.PrevHash);
        Assert.Equal(28, _audit.Read(new AuditFilter())[0].Seq);

        // Nothing is old enough a second time; entries after the anchor still refuse deletion.
        Assert.Equal(0, AuditRetention.Prune(_audit, 365, _time.GetUtcNow()));
        using var connection = _store.OpenWritable();
        var refused = Assert.ThrowsAny<DbException>(() => connection.Execute("DELETE FROM audit WHERE seq = 28"));
        Assert.Contains("append-only", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_head_is_never_deleted_and_retention_off_deletes_nothing()
    {
        _time.Advance(TimeSpan.FromDays(3650));
        Assert.Equal(0, AuditRetention.Prune(_audit, 0, _time.GetUtcNow()));
        Assert.Equal(99, AuditRetention.Prune(_audit, 365, _time.GetUtcNow()));
        var kept = _audit.Read(new AuditFilter());
        Assert.Equal([100, 101], kept.Select(e => e.Seq));
        Assert.True(_audit.Verify().Intact);
    }

    [Fact]
    public void Entries_removed_without_a_recorded_prune_show_as_a_break_and_a_broken_chain_is_not_pruned()
    {
        using (var connection = _store.OpenWritable())
        {
            // Someone with the file moves the anchor and deletes, without the chain's own record of a prune.
            var hash = connection.ExecuteScalar<string>("SELECT hash FROM audit WHERE seq = 10");
            connection.Execute("INSERT INTO audit_anchor (id, seq, hash, at) VALUES (1, 10, @hash, 'x')", new { hash });
            connection.Execute("DELETE FROM audit WHERE seq <= 10");
        }

        var verification = _audit.Verify();
        Assert.Equal(11, verification.Break?.Seq);
        Assert.Contains("no audit.prune entry", verification.Break!.Reason, StringComparison.Ordinal);
        Assert.Equal(0, AuditRetention.Prune(_audit, 30, _time.GetUtcNow()));
    }

    public void Dispose()
    {
        _store.Dispose();
        GC.SuppressFinalize(this);
    }
}

[Trait("Category", "Unit")]
public sealed class AuditRetentionTestsOnSqlite() : AuditRetentionTests(StoreProvider.Sqlite);

[Trait("Category", "Unit")]
[Trait("Store", "postgres")]
public sealed class AuditRetentionTestsOnPostgres() : AuditRetentionTests(StoreProvider.Postgres);
