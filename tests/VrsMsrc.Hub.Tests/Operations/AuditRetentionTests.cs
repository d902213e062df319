using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using VrsMsrc.Hub.Audit;
using VrsMsrc.Hub.Configuration;
using VrsMsrc.Hub.Operations;
using VrsMsrc.Hub.Security;
using VrsMsrc.Hub.Setup;

namespace VrsMsrc.Hub.Tests.Operations;

/// <summary>Retention of the audit log keeps the chain verifiable: from a recorded anchor, with the head always kept.</summary>
[Trait("Category", "Unit")]
public sealed class AuditRetentionTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly HubPaths _paths = HubSetup.Init(Directory.CreateTempSubdirectory("vrs-hub-retention-"), [], new HubSettings(), TimeProvider.System);
    private readonly AdminContext _admin;

    public AuditRetentionTests()
    {
        _admin = AdminContext.Open(_paths, _time);
        for (var day = 0; day < 100; day++)
        {
            _admin.Audit.Append("cli:test", "test.act", AuditOutcome.Ok, AuditChain.Detail(("day", day)));
            _time.Advance(TimeSpan.FromDays(5));
        }
    }

    [Fact]
    public void Old_entries_go_the_chain_still_verifies_and_the_prune_is_itself_audited()
    {
        var before = _admin.Audit.Verify();
        Assert.Equal(100, before.Entries);

        // Now is day 500: entries of days 0..130 (5 days apart) are older than a year.
        var deleted = AuditRetention.Prune(_admin.Database, _admin.Audit, 365, _time.GetUtcNow());
        Assert.Equal(27, deleted);

        var after = _admin.Audit.Verify();
        Assert.True(after.Intact, after.Break?.Reason);
        Assert.Equal(100 - 27 + 1, after.Entries);
        var prune = _admin.Audit.Last()!;
        Assert.Equal((AuditRetention.Actor, AuditChain.PruneAction), (prune.Actor, prune.Action));
        Assert.Equal(before.HeadHash, prune.PrevHash);
        Assert.Equal(28, _admin.Audit.Read(new AuditFilter())[0].Seq);

        // Nothing is old enough a second time; entries after the anchor still refuse deletion.
        Assert.Equal(0, AuditRetention.Prune(_admin.Database, _admin.Audit, 365, _time.GetUtcNow()));
        using var connection = _admin.Database.Open();
        var refused = Assert.Throws<SqliteException>(() => connection.Execute("DELETE FROM audit WHERE seq = 28"));
        Assert.Contains("append-only", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_head_is_never_deleted_and_retention_off_deletes_nothing()
    {
        _time.Advance(TimeSpan.FromDays(3650));
        Assert.Equal(0, AuditRetention.Prune(_admin.Database, _admin.Audit, 0, _time.GetUtcNow()));
        Assert.Equal(99, AuditRetention.Prune(_admin.Database, _admin.Audit, 365, _time.GetUtcNow()));
        var kept = _admin.Audit.Read(new AuditFilter());
        Assert.Equal([100, 101], kept.Select(e => e.Seq));
        Assert.True(_admin.Audit.Verify().Intact);
    }

    [Fact]
    public void Entries_removed_without_a_recorded_prune_show_as_a_break_and_a_broken_chain_is_not_pruned()
    {
        using (var connection = _admin.Database.Open())
        {
            // Someone with the file moves the anchor and deletes, without the chain's own record of a prune.
            var hash = connection.ExecuteScalar<string>("SELECT hash FROM audit WHERE seq = 10");
            connection.Execute("INSERT INTO audit_anchor (id, seq, hash, at) VALUES (1, 10, @hash, 'x')", new { hash });
            connection.Execute("DELETE FROM audit WHERE seq <= 10");
        }

        var verification = _admin.Audit.Verify();
        Assert.Equal(11, verification.Break?.Seq);
        Assert.Contains("no audit.prune entry", verification.Break!.Reason, StringComparison.Ordinal);
        Assert.Equal(0, AuditRetention.Prune(_admin.Database, _admin.Audit, 30, _time.GetUtcNow()));
    }

    public void Dispose() => Directory.Delete(_paths.DataDir, recursive: true);
}
