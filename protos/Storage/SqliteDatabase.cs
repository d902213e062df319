using System.Reflection;
using Dapper;
using Microsoft.Data.Sqlite;

namespace VrsMsrc.Contracts.Storage;

/// <summary>
/// Opens SQLite files the way both services want them and applies numbered embedded migrations
/// ("Migrations/NNN_name.sql") of the calling service, each in its own transaction.
/// </summary>
public static class SqliteDatabase
{
    /// <summary>
    /// WAL lets readers (queries, status) run beside the one writer; synchronous=FULL because what is
    /// committed here (outbox entries, applied releases) is what the delivery promise rests on.
    /// </summary>
    public static SqliteConnection Open(string path, bool readOnly = false)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 30,
        };
        var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        connection.Execute(readOnly
            ? "PRAGMA busy_timeout=30000;"
            : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000; " +
              // Bulk paths (imports, releases, ingest) touch many pages in one transaction: a 64 MB page
              // cache and in-memory temporary tables keep them from spilling to disk halfway.
              "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;");
        return connection;
    }

    /// <summary>A prepared command with named parameters, reused row after row on bulk paths.</summary>
    public static SqliteCommand Prepare(SqliteConnection connection, SqliteTransaction transaction, string sql, IEnumerable<string> parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        command.Prepare();
        return command;
    }

    public static int Migrate(SqliteConnection connection, Assembly migrations)
    {
        connection.Execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
        var applied = connection.Query<long>("SELECT version FROM schema_migrations").ToHashSet();
        var count = 0;
        foreach (var script in Scripts(migrations).Where(s => !applied.Contains(s.Version)))
        {
            using var stream = migrations.GetManifestResourceStream(script.Resource)!;
            using var reader = new StreamReader(stream);
            var sql = reader.ReadToEnd();
            using var tx = connection.BeginTransaction();
            connection.Execute(sql, transaction: tx);
            connection.Execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@Version, @Name, @At)",
                new { script.Version, script.Name, At = DateTimeOffset.UtcNow.ToString("O") },
                tx);
            tx.Commit();
            count++;
        }

        return count;
    }

    /// <summary>The numbered migration scripts embedded in a service's assembly, in order.</summary>
    public static IEnumerable<(string Resource, string Name, long Version)> Scripts(Assembly migrations) => migrations.GetManifestResourceNames()
        .Where(n => n.Contains(".Migrations.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
        .Select(n => (Resource: n, Name: n[(n.IndexOf(".Migrations.", StringComparison.Ordinal) + 12)..]))
        .Select(s => (s.Resource, s.Name, Version: long.Parse(s.Name[..s.Name.IndexOf('_', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture)))
        .OrderBy(s => s.Version);
}
