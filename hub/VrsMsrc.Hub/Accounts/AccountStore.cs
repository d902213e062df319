using System.Data.Common;
using Dapper;
using VrsMsrc.Hub.Storage;

namespace VrsMsrc.Hub.Accounts;

/// <summary>Accounts and their tokens. Policy (hashing, lockout, expiry) lives in AccountService, not here.</summary>
internal interface IAccountStore
{
    /// <summary>False when an account of that name exists already.</summary>
    bool Add(AccountRecord account);

    AccountRecord? Find(string name);

    IReadOnlyList<AccountRecord> List();

    bool SetEnabled(string name, bool enabled);

    /// <summary>Stores the failure count and, when it reached the limit, the end of the lockout.</summary>
    void SetLoginState(string name, long failedLogins, string? lockedUntil);

    void SetPasswordHash(string name, string passwordHash);

    void AddToken(TokenRecord token);

    TokenRecord? FindToken(string sha256);

    IReadOnlyList<TokenRecord> Tokens(string? account);

    /// <summary>False when no such token, or it was revoked already.</summary>
    bool RevokeToken(string id, string at);
}

/// <summary>
/// The account store's SQL, written once: the statements are the same on SQLite and PostgreSQL, so subclasses
/// only say how to open a connection.
/// </summary>
internal abstract class AccountStoreBase : IAccountStore
{
    private const string AccountColumns =
        "name AS Name, role AS Role, state AS State, password_hash AS PasswordHash, enabled AS Enabled, failed_logins AS FailedLogins, locked_until AS LockedUntil, created_at AS CreatedAt";

    private const string TokenColumns =
        "id AS Id, sha256 AS Sha256, account AS Account, kind AS Kind, label AS Label, created_at AS CreatedAt, expires_at AS ExpiresAt, revoked_at AS RevokedAt";

    public bool Add(AccountRecord account)
    {
        using var connection = Open(readOnly: false);
        return connection.Execute(
            """
            INSERT INTO accounts (name, role, state, password_hash, enabled, failed_logins, locked_until, created_at)
            VALUES (@Name, @Role, @State, @PasswordHash, @Enabled, 0, NULL, @CreatedAt)
            ON CONFLICT (name) DO NOTHING
            """,
            account) == 1;
    }

    public AccountRecord? Find(string name)
    {
        using var connection = Open(readOnly: true);
        return connection.QuerySingleOrDefault<AccountRecord>($"SELECT {AccountColumns} FROM accounts WHERE name = @name", new { name });
    }

    public IReadOnlyList<AccountRecord> List()
    {
        using var connection = Open(readOnly: true);
        return connection.Query<AccountRecord>($"SELECT {AccountColumns} FROM accounts ORDER BY name").ToList();
    }

    public bool SetEnabled(string name, bool enabled)
    {
        using var connection = Open(readOnly: false);
        // Enabling also lifts a lockout: it is how an operator lets a locked-out person back in.
        return connection.Execute(
            "UPDATE accounts SET enabled = @enabled, failed_logins = 0, locked_until = NULL WHERE name = @name",
            new { name, enabled }) == 1;
    }

    public void SetLoginState(string name, long failedLogins, string? lockedUntil)
    {
        using var connection = Open(readOnly: false);
        connection.Execute(
            "UPDATE accounts SET failed_logins = @failedLogins, locked_until = @lockedUntil WHERE name = @name",
            new { name, failedLogins, lockedUntil });
    }

    public void SetPasswordHash(string name, string passwordHash)
    {
        using var connection = Open(readOnly: false);
        connection.Execute("UPDATE accounts SET password_hash = @passwordHash WHERE name = @name", new { name, passwordHash });
    }

    public void AddToken(TokenRecord token)
    {
        using var connection = Open(readOnly: false);
        connection.Execute(
            """
            INSERT INTO tokens (id, sha256, account, kind, label, created_at, expires_at, revoked_at)
            VALUES (@Id, @Sha256, @Account, @Kind, @Label, @CreatedAt, @ExpiresAt, NULL)
            """,
            token);
    }

    public TokenRecord? FindToken(string sha256)
    {
        using var connection = Open(readOnly: true);
        return connection.QuerySingleOrDefault<TokenRecord>($"SELECT {TokenColumns} FROM tokens WHERE sha256 = @sha256", new { sha256 });
    }

    public IReadOnlyList<TokenRecord> Tokens(string? account)
    {
        using var connection = Open(readOnly: true);
        return connection.Query<TokenRecord>(
            $"SELECT {TokenColumns} FROM tokens WHERE (CAST(@account AS text) IS NULL OR account = @account) ORDER BY created_at", new { account }).ToList();
    }

    public bool RevokeToken(string id, string at)
    {
        using var connection = Open(readOnly: false);
        return connection.Execute("UPDATE tokens SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL", new { id, at }) == 1;
    }

    /// <summary>A connection; readOnly where the database can enforce it (SQLite), a hint elsewhere.</summary>
    protected abstract DbConnection Open(bool readOnly);
}

/// <summary>Accounts and tokens in the hub's SQLite file.</summary>
internal sealed class SqliteAccountStore(HubDatabase database) : AccountStoreBase
{
    protected override DbConnection Open(bool readOnly) => database.Open(readOnly);
}
