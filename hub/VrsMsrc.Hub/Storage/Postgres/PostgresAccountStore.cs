using Dapper;
using VrsMsrc.Hub.Accounts;

namespace VrsMsrc.Hub.Storage.Postgres;

/// <summary>Accounts and tokens on PostgreSQL; a login at one hub process is a valid token at every other.</summary>
internal sealed class PostgresAccountStore(PostgresDatabase database) : IAccountStore
{
    private const string AccountColumns =
        "name AS Name, role AS Role, state AS State, password_hash AS PasswordHash, enabled AS Enabled, failed_logins AS FailedLogins, locked_until AS LockedUntil, created_at AS CreatedAt";

    private const string TokenColumns =
        "id AS Id, sha256 AS Sha256, account AS Account, kind AS Kind, label AS Label, created_at AS CreatedAt, expires_at AS ExpiresAt, revoked_at AS RevokedAt";

    public bool Add(AccountRecord account)
    {
        using var connection = database.Open();
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
        using var connection = database.Open();
        return connection.QuerySingleOrDefault<AccountRecord>($"SELECT {AccountColumns} FROM accounts WHERE name = @name", new { name });
    }

    public IReadOnlyList<AccountRecord> List()
    {
        using var connection = database.Open();
        return connection.Query<AccountRecord>($"SELECT {AccountColumns} FROM accounts ORDER BY name").ToList();
    }

    public bool SetEnabled(string name, bool enabled)
    {
        using var connection = database.Open();
        // Enabling also lifts a lockout, as on SQLite.
        return connection.Execute(
            "UPDATE accounts SET enabled = @enabled, failed_logins = 0, locked_until = NULL WHERE name = @name",
            new { name, enabled }) == 1;
    }

    public void SetLoginState(string name, long failedLogins, string? lockedUntil)
    {
        using var connection = database.Open();
        connection.Execute(
            "UPDATE accounts SET failed_logins = @failedLogins, locked_until = @lockedUntil WHERE name = @name",
            new { name, failedLogins, lockedUntil });
    }

    public void SetPasswordHash(string name, string passwordHash)
    {
        using var connection = database.Open();
        connection.Execute("UPDATE accounts SET password_hash = @passwordHash WHERE name = @name", new { name, passwordHash });
    }

    public void AddToken(TokenRecord token)
    {
        using var connection = database.Open();
        connection.Execute(
            """
            INSERT INTO tokens (id, sha256, account, kind, label, created_at, expires_at, revoked_at)
            VALUES (@Id, @Sha256, @Account, @Kind, @Label, @CreatedAt, @ExpiresAt, NULL)
            """,
            token);
    }

    public TokenRecord? FindToken(string sha256)
    {
        using var connection = database.Open();
        return connection.QuerySingleOrDefault<TokenRecord>($"SELECT {TokenColumns} FROM tokens WHERE sha256 = @sha256", new { sha256 });
    }

    public IReadOnlyList<TokenRecord> Tokens(string? account)
    {
        using var connection = database.Open();
        return connection.Query<TokenRecord>(
            $"SELECT {TokenColumns} FROM tokens WHERE (@account::text IS NULL OR account = @account) ORDER BY created_at", new { account }).ToList();
    }

    public bool RevokeToken(string id, string at)
    {
        using var connection = database.Open();
        return connection.Execute("UPDATE tokens SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL", new { id, at }) == 1;
    }
}
