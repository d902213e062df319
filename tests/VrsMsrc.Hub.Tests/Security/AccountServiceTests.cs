using Microsoft.Extensions.Time.Testing;
using VrsMsrc.Hub.Accounts;
using VrsMsrc.Hub.Audit;
using VrsMsrc.Hub.Configuration;
using VrsMsrc.Hub.Nodes;
using VrsMsrc.Hub.Security;
using VrsMsrc.Hub.Trends;

namespace VrsMsrc.Hub.Tests.Security;

[Trait("Category", "Unit")]
public abstract class AccountServiceTests : IDisposable
{
    private const string Password = "a long enough password";
    private readonly TempHubStore _store;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly IAuditLog _audit;
    private readonly AccountService _accounts;

    protected AccountServiceTests(StoreProvider provider)
    {
        _store = new(provider);
        _audit = _store.Audit(_time);
        _accounts = new AccountService(_store.Accounts, _audit, new HubSettings(), _time);
    }

    public void Dispose()
    {
        _store.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void Passwords_are_stored_hashed_and_tokens_only_as_SHA256()
    {
        var account = _accounts.Add("ana", Role.RegionalAnalyst, null, Password, "test");
        Assert.DoesNotContain(Password, account.PasswordHash, StringComparison.Ordinal);
        var token = _accounts.IssueApiToken("ana", "script", null, "test");
        var stored = _store.Accounts.Tokens("ana").Single();
        Assert.Equal(AccountService.Hash(token.Secret), stored.Sha256);
        Assert.DoesNotContain(token.Secret, string.Join("", _audit.Read(new AuditFilter()).Select(e => e.Detail)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_lockout_ends_after_its_duration()
    {
        _accounts.Add("ana", Role.RegionalAnalyst, null, Password, "test");
        for (var i = 0; i < 5; i++)
        {
            Assert.Null(_accounts.Login("ana", "wrong", "test").Session);
        }

        Assert.Contains("locked", _accounts.Login("ana", Password, "test").Refusal, StringComparison.Ordinal);
        _time.Advance(TimeSpan.FromMinutes(16));
        Assert.NotNull(_accounts.Login("ana", Password, "test").Session);
    }

    [Fact]
    public void A_session_expires_and_a_revoked_token_is_refused()
    {
        _accounts.Add("ana", Role.RegionalAnalyst, null, Password, "test");
        var session = _accounts.Login("ana", Password, "test").Session!;
        Assert.NotNull(_accounts.Authenticate(session.Secret).Identity);
        _time.Advance(TimeSpan.FromHours(9));
        Assert.Contains("expired", _accounts.Authenticate(session.Secret).Refusal, StringComparison.Ordinal);

        var token = _accounts.IssueApiToken("ana", "script", null, "test");
        _accounts.RevokeToken(token.Id, "test");
        Assert.Contains("revoked", _accounts.Authenticate(token.Secret).Refusal, StringComparison.Ordinal);
        Assert.Equal("unknown token", _accounts.Authenticate("vrs_guess").Refusal);
    }

    [Fact]
    public void The_sharing_window_follows_the_clock()
    {
        _store.Apply(TempHubStore.Release("GRC", ("2026-01", 1, "totals", [], "migrants", 40)));
        var rule = new SharingRule(_store.Registry(_time), new HubSettings(), _time);
        var analyst = new AnalystIdentity("g", Role.StateAnalyst, "GRC", "t");

        // The release was stored "now" by the real clock; move the fake one to just inside, then outside, 12 months.
        var received = _store.Registry(_time).LastContribution("GRC")!.Value;
        _time.SetUtcNow(received.AddMonths(12).AddDays(-1));
        Assert.True(rule.ScopeFor(analyst).SeesAllStates);
        _time.SetUtcNow(received.AddMonths(12).AddDays(1));
        var scope = rule.ScopeFor(analyst);
        Assert.False(scope.SeesAllStates);
        scope.Authorize(["GRC"], groupedByState: true);
        scope.Authorize([], groupedByState: false);
        Assert.Throws<SharingRefusedException>(() => scope.Authorize(["ITA"], groupedByState: false));
        Assert.Throws<SharingRefusedException>(() => scope.Authorize([], groupedByState: true));
        Assert.Throws<SharingRefusedException>(() => scope.Authorize(["GRC", "ITA"], groupedByState: false));
    }
}

[Trait("Category", "Unit")]
public sealed class AccountServiceTestsOnSqlite() : AccountServiceTests(StoreProvider.Sqlite);

[Trait("Category", "Unit")]
[Trait("Store", "postgres")]
public sealed class AccountServiceTestsOnPostgres() : AccountServiceTests(StoreProvider.Postgres);
