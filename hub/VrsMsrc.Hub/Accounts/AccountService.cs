using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Hub.Audit;
using VrsMsrc.Hub.Configuration;

namespace VrsMsrc.Hub.Accounts;

/// <summary>A token handed out once; only its hash is kept.</summary>
internal sealed record IssuedToken(string Id, string Secret, DateTimeOffset? ExpiresAt);

/// <summary>The answer to a login: a session token, or the reason it was refused.</summary>
internal sealed record LoginResult(IssuedToken? Session, string? Refusal, AnalystIdentity? Identity);

/// <summary>
/// Accounts, passwords, lockout and tokens: the rules every way in (gRPC, JSON, a dashboard) shares,
/// and every decision audited.
/// </summary>
internal sealed partial class AccountService(IAccountStore store, IAuditLog audit, HubSettings settings, TimeProvider time)
{
    public const int MinimumPasswordLength = 12;
    public const string TokenPrefix = "vrs_";
    private const string ApiKind = "api";
    private const string SessionKind = "session";

    // ASP.NET Core Identity's hasher: PBKDF2 with a per-password salt, versioned so that a future
    // default is adopted on the next successful login.
    private readonly PasswordHasher<AccountRecord> _hasher = new();

    // Verified against when the account does not exist, so that timing does not tell names apart.
    private readonly Lazy<string> _decoyHash = new(() => new PasswordHasher<AccountRecord>().HashPassword(new AccountRecord(), "decoy password"));

    public AccountRecord Add(string name, Role role, string? state, string password, string actor)
    {
        if (!NamePattern().IsMatch(name))
        {
            throw new CommandException($"account name '{name}' must be 2-64 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit");
        }

        if ((role == Role.StateAnalyst) != (state is not null))
        {
            throw new CommandException(role == Role.StateAnalyst ? "a state analyst needs --state ISO3" : "only a state analyst belongs to a state (--state)");
        }

        if (password.Length < MinimumPasswordLength)
        {
            throw new CommandException($"the password must have at least {MinimumPasswordLength} characters");
        }

        var account = new AccountRecord
        {
            Name = name, Role = Roles.Name(role), State = state, Enabled = true, CreatedAt = Now(),
        };
        account.PasswordHash = _hasher.HashPassword(account, password);
        if (!store.Add(account))
        {
            throw new CommandException($"an account '{name}' exists already");
        }

        audit.Append(actor, "user.add", AuditOutcome.Ok, AuditChain.Detail(("account", name), ("role", account.Role), ("state", state)));
        return account;
    }

    public void SetEnabled(string name, bool enabled, string actor)
    {
        if (!store.SetEnabled(name, enabled))
        {
            throw new CommandException($"no account '{name}'");
        }

        audit.Append(actor, enabled ? "user.enable" : "user.disable", AuditOutcome.Ok, AuditChain.Detail(("account", name)));
    }

    /// <summary>An API token for scripts; valid until revoked or, when given, until it expires.</summary>
    public IssuedToken IssueApiToken(string name, string label, TimeSpan? lifetime, string actor)
    {
        var account = store.Find(name) ?? throw new CommandException($"no account '{name}'");
        if (!account.Enabled)
        {
            throw new CommandException($"account '{name}' is disabled");
        }

        var token = Issue(account.Name, ApiKind, label, lifetime);
        audit.Append(actor, "token.issue", AuditOutcome.Ok,
            AuditChain.Detail(("account", name), ("token", token.Id), ("label", label), ("expires", token.ExpiresAt?.ToString("O"))));
        return token;
    }

    public void RevokeToken(string id, string actor)
    {
        if (!store.RevokeToken(id, Now()))
        {
            throw new CommandException($"no token '{id}' that is not already revoked");
        }

        audit.Append(actor, "token.revoke", AuditOutcome.Ok, AuditChain.Detail(("token", id)));
    }

    /// <summary>
    /// Checks a password; after <see cref="SecuritySettings.LockoutFailures"/> wrong ones in a row the
    /// account is locked for <see cref="SecuritySettings.LockoutDuration"/>, during which even the right
    /// password is refused.
    /// </summary>
    public LoginResult Login(string name, string password, string remote)
    {
        var account = store.Find(name);
        if (account?.PasswordHash is null)
        {
            _hasher.VerifyHashedPassword(new AccountRecord(), _decoyHash.Value, password);
            return Refuse(name, "unknown account or wrong password", remote, "unknown account");
        }

        if (!account.Enabled)
        {
            return Refuse(name, "account disabled", remote);
        }

        var now = time.GetUtcNow();
        if (account.LockedUntil is { } lockedText && DateTimeOffset.Parse(lockedText, CultureInfo.InvariantCulture) > now)
        {
            return Refuse(name, $"account locked until {lockedText}", remote);
        }

        var verdict = _hasher.VerifyHashedPassword(account, account.PasswordHash, password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            var failures = account.FailedLogins + 1;
            var limit = settings.Security.LockoutFailures;
            if (failures >= limit)
            {
                var until = (now + settings.Security.LockoutDuration).ToString("O");
                store.SetLoginState(name, 0, until);
                audit.Append(AuditActor.User(name), "login", AuditOutcome.Refused,
                    AuditChain.Detail(("reason", "wrong password"), ("failures", failures), ("locked_until", until), ("remote", remote)));
                return new LoginResult(null, $"account locked until {until} after {failures} wrong passwords", null);
            }

            store.SetLoginState(name, failures, null);
            return Refuse(name, "unknown account or wrong password", remote, $"wrong password ({failures} of {limit})");
        }

        store.SetLoginState(name, 0, null);
        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            store.SetPasswordHash(name, _hasher.HashPassword(account, password));
        }

        var session = Issue(name, SessionKind, "login from " + remote, settings.Security.SessionLifetime);
        audit.Append(AuditActor.User(name), "login", AuditOutcome.Ok, AuditChain.Detail(("session", session.Id), ("remote", remote)));
        return new LoginResult(session, null, Identity(account, session.Id));
    }

    /// <summary>The identity behind a bearer token, or null with the reason (never logged with the token).</summary>
    public (AnalystIdentity? Identity, string? Refusal) Authenticate(string bearer)
    {
        var token = store.FindToken(Hash(bearer));
        if (token is null)
        {
            return (null, "unknown token");
        }

        if (token.RevokedAt is not null)
        {
            return (null, $"token {token.Id} was revoked");
        }

        if (token.ExpiresAt is { } expires && DateTimeOffset.Parse(expires, CultureInfo.InvariantCulture) <= time.GetUtcNow())
        {
            return (null, $"token {token.Id} expired");
        }

        var account = store.Find(token.Account);
        if (account is null || !account.Enabled)
        {
            return (null, $"account '{token.Account}' is disabled");
        }

        return (Identity(account, token.Id), null);
    }

    /// <summary>Ends a session (or any token) its holder presents.</summary>
    public void Logout(AnalystIdentity identity)
    {
        store.RevokeToken(identity.TokenId, Now());
        audit.Append(AuditActor.User(identity.Account), "logout", AuditOutcome.Ok, AuditChain.Detail(("token", identity.TokenId)));
    }

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>A password for 'user add' when the operator gives none: 24 characters from 18 random bytes.</summary>
    public static string NewPassword() => Base64Url(RandomNumberGenerator.GetBytes(18));

    private IssuedToken Issue(string account, string kind, string label, TimeSpan? lifetime)
    {
        // 32 random bytes: unguessable, so the hash alone identifies the token and no salt is needed.
        var secret = TokenPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var sha = Hash(secret);
        var expires = lifetime is { } l ? time.GetUtcNow() + l : (DateTimeOffset?)null;
        var token = new TokenRecord
        {
            Id = sha[..12], Sha256 = sha, Account = account, Kind = kind, Label = label, CreatedAt = Now(),
            ExpiresAt = expires?.ToString("O"),
        };
        store.AddToken(token);
        return new IssuedToken(token.Id, secret, expires);
    }

    private LoginResult Refuse(string name, string answer, string remote, string? reason = null)
    {
        audit.Append(AuditActor.User(name), "login", AuditOutcome.Refused, AuditChain.Detail(("reason", reason ?? answer), ("remote", remote)));
        return new LoginResult(null, answer, null);
    }

    private static AnalystIdentity Identity(AccountRecord account, string tokenId) =>
        new(account.Name, Roles.Parse(account.Role), account.State, tokenId);

    private string Now() => time.GetUtcNow().ToString("O");

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{1,63}$")]
    private static partial Regex NamePattern();
}
