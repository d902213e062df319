using System.Security.Cryptography;
using System.Text;
using Dapper;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Node.Storage;

namespace VrsMsrc.Node.Ingest;

internal sealed record ApiKeyInfo(string Name, string CreatedAt, string? RevokedAt);

/// <summary>
/// Keys of the case-management systems that call the ingest API. A key is shown once when created;
/// the node keeps only its SHA-256, so a copy of the database does not give access.
/// </summary>
internal sealed class ApiKeys(NodeDatabase database, TimeProvider time)
{
    private const string Prefix = "vrsk_";

    public string Add(string name)
    {
        if (name.Length is 0 or > 64 || name.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.')))
        {
            throw new CommandException($"--name '{name}': use 1 to 64 letters, digits, '-', '_' or '.'");
        }

        var key = Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        using var connection = database.Open();
        var inserted = connection.Execute(
            "INSERT INTO api_keys (name, key_sha256, created_at) VALUES (@name, @hash, @at) ON CONFLICT (name) DO NOTHING",
            new { name, hash = Hash(key), at = time.GetUtcNow().ToString("O") });
        return inserted == 1 ? key : throw new CommandException($"an API key named '{name}' exists already; revoke it or choose another name");
    }

    public bool Revoke(string name)
    {
        using var connection = database.Open();
        return connection.Execute(
            "UPDATE api_keys SET revoked_at = @at WHERE name = @name AND revoked_at IS NULL",
            new { name, at = time.GetUtcNow().ToString("O") }) == 1;
    }

    public IReadOnlyList<ApiKeyInfo> List()
    {
        using var connection = database.Open(readOnly: true);
        return connection.Query<(string, string, string?)>("SELECT name, created_at, revoked_at FROM api_keys ORDER BY name")
            .Select(k => new ApiKeyInfo(k.Item1, k.Item2, k.Item3)).ToList();
    }

    /// <summary>The name of the live key presented, or null.</summary>
    public string? Authenticate(string? presented)
    {
        if (presented is null || !presented.StartsWith(Prefix, StringComparison.Ordinal) || presented.Length > 100)
        {
            return null;
        }

        using var connection = database.Open(readOnly: true);
        return connection.QuerySingleOrDefault<string>(
            "SELECT name FROM api_keys WHERE key_sha256 = @hash AND revoked_at IS NULL", new { hash = Hash(presented) });
    }

    private static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
