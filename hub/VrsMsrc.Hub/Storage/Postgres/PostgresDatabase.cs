using Dapper;
using Npgsql;
using VrsMsrc.Contracts.CodeLists;

namespace VrsMsrc.Hub.Storage.Postgres;

/// <summary>
/// The hub's PostgreSQL database: a pooled data source shared by the stores, and the numbered schema
/// scripts (Schema/NNN_name.sql) applied once, whichever of several hub processes starts first.
/// </summary>
internal sealed class PostgresDatabase : IDisposable
{
    private readonly NpgsqlDataSource _source;

    public PostgresDatabase(string connectionString, int concurrentApplies = Configuration.StorageSettings.DefaultConcurrentApplies)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        _source = NpgsqlDataSource.Create(builder);

        // Half the pool at most: the certificate checks, audit and queries of this process need connections too.
        ConcurrentApplies = Math.Clamp(concurrentApplies, 1, Math.Max(1, builder.MaxPoolSize / 2));
    }

    /// <summary>Releases this process applies at once (Storage:ConcurrentApplies, at most half the connection pool).</summary>
    public int ConcurrentApplies { get; }

    public NpgsqlConnection Open() => _source.OpenConnection();

    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken ct) => _source.OpenConnectionAsync(ct);

    /// <summary>
    /// Runs <paramref name="body"/> in a transaction begun by a BEGIN of its own, for the synchronous paths that
    /// request threads take (the audit append). Npgsql's BeginTransaction sends its BEGIN in front of the next
    /// command, and Npgsql 8+ writes all but the first query of such a write asynchronously, even on its
    /// synchronous API. With every thread-pool thread busy in a call like it (a burst of requests), appends begun
    /// that way held the audit lock for up to 30 s (PostgresSeveralHubsTests.The_audit_chain_stays_one_chain_
    /// when_both_hubs_append_at_once: 15–31 s in 3 of 28 runs; never with a raised thread-pool minimum, and never
    /// in 45 runs begun this way). Commands inside run without a transaction object; the connection is in it.
    /// </summary>
    public static T InTransaction<T>(NpgsqlConnection connection, Func<T> body)
    {
        connection.Execute("BEGIN TRANSACTION");
        try
        {
            var result = body();
            connection.Execute("COMMIT TRANSACTION");
            return result;
        }
        catch
        {
            // A broken connection is discarded by the pool anyway; one still open must not carry the transaction on.
            if (connection.FullState == System.Data.ConnectionState.Open)
            {
                connection.Execute("ROLLBACK TRANSACTION");
            }

            throw;
        }
    }

    /// <summary>Null when the database answers and its schema is the one this software needs; else what is wrong.</summary>
    public string? SchemaProblem()
    {
        using var connection = Open();
        var schema = connection.ExecuteScalar<long?>("SELECT MAX(version) FROM schema_migrations") ?? 0;
        var latest = Scripts().Max(s => s.Version);
        return schema == latest ? null : $"schema {schema}, this software needs {latest}";
    }

    private static List<(string Resource, string Name, long Version)> Scripts()
    {
        const string folder = ".Storage.Postgres.Schema.";
        return typeof(PostgresDatabase).Assembly.GetManifestResourceNames()
            .Where(n => n.Contains(folder, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => (Resource: n, Name: n[(n.IndexOf(folder, StringComparison.Ordinal) + folder.Length)..]))
            .Select(s => (s.Resource, s.Name, Version: long.Parse(s.Name[..s.Name.IndexOf('_', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture)))
            .OrderBy(s => s.Version)
            .ToList();
    }

    /// <summary>
    /// Creates or upgrades the schema in one transaction under an advisory lock, so that hubs starting
    /// together neither race nor see half a schema; PostgreSQL's DDL is transactional. No command timeout:
    /// an upgrade of a large store, or waiting for another hub's, may take longer than a query should.
    /// </summary>
    public int Migrate()
    {
        using var connection = Open();
        using var tx = connection.BeginTransaction();
        AdvisoryLocks.Take(connection, tx, AdvisoryLocks.Schema, "schema", timeoutSeconds: 0);
        connection.Execute("CREATE TABLE IF NOT EXISTS schema_migrations (version bigint PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)", transaction: tx);
        var applied = connection.Query<long>("SELECT version FROM schema_migrations", transaction: tx).ToHashSet();
        var assembly = typeof(PostgresDatabase).Assembly;
        var scripts = Scripts().Where(s => !applied.Contains(s.Version)).ToList();
        foreach (var script in scripts)
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(script.Resource)!);
            connection.Execute(reader.ReadToEnd(), transaction: tx, commandTimeout: 0);
            connection.Execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@Version, @Name, @At)",
                new { script.Version, script.Name, At = DateTimeOffset.UtcNow.ToString("O") }, tx);
        }

        if (connection.ExecuteScalar<long>("SELECT COUNT(*) FROM corridors", transaction: tx) == 0)
        {
            connection.Execute(
                "INSERT INTO corridors (code, name) SELECT * FROM unnest(@Codes, @Names)",
                new { Codes = Codes.DefaultCorridors.Entries.Select(e => e.Code).ToArray(), Names = Codes.DefaultCorridors.Entries.Select(e => e.Name).ToArray() }, tx);
        }

        tx.Commit();
        return scripts.Count;
    }

    public void Dispose() => _source.Dispose();
}

/// <summary>
/// Transaction-scoped advisory locks: what orders the writes of several hub processes on one database.
/// Each kind is a key space; the name within it is hashed by PostgreSQL (hashtext).
/// </summary>
internal static class AdvisoryLocks
{
    public const int Schema = 0x5652_0001;

    /// <summary>Per state: that state's releases are applied one at a time, across every hub process.</summary>
    public const int StateReleases = 0x5652_0002;

    /// <summary>The audit chain's head: one append at a time, so every entry follows the one before.</summary>
    public const int AuditHead = 0x5652_0003;

    /// <summary>The alert set: two passes replacing it at once would collide on its keys.</summary>
    public const int Alerts = 0x5652_0004;

    // Advisory locks are database-wide; naming the schema keeps hubs (or test runs) in other schemas of the
    // same database from queueing on each other's locks, while hubs sharing a schema still do.
    private const string Sql = "SELECT pg_advisory_xact_lock(@kind, hashtext(current_schema() || ':' || @name))";

    /// <summary>Waits for the lock; <paramref name="timeoutSeconds"/> 0 waits as long as it takes, null for the connection's default.</summary>
    public static void Take(NpgsqlConnection connection, NpgsqlTransaction? tx, int kind, string name, int? timeoutSeconds = null) =>
        connection.Execute(Sql, new { kind, name }, tx, timeoutSeconds);

    public static Task TakeAsync(NpgsqlConnection connection, NpgsqlTransaction tx, int kind, string name, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(Sql, new { kind, name }, tx, cancellationToken: ct));
}
