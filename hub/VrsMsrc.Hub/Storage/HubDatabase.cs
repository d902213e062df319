using Dapper;
using Microsoft.Data.Sqlite;
using VrsMsrc.Contracts.CodeLists;
using VrsMsrc.Contracts.Storage;

namespace VrsMsrc.Hub.Storage;

/// <summary>The hub's SQLite file: opened per unit of work, migrated once at start.</summary>
internal sealed class HubDatabase(string path)
{
    public string Path => path;

    public SqliteConnection Open(bool readOnly = false) => SqliteDatabase.Open(path, readOnly);

    /// <summary>Null when the file opens with the schema this software needs; else what is wrong.</summary>
    public string? SchemaProblem()
    {
        using var connection = Open(readOnly: true);
        var schema = connection.ExecuteScalar<long>("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
        var latest = SqliteDatabase.Scripts(typeof(HubDatabase).Assembly).Max(s => s.Version);
        return schema == latest ? null : $"schema {schema}, this software needs {latest}";
    }

    /// <summary>Creates or upgrades the schema; a new hub starts with the default corridor list.</summary>
    public void Migrate()
    {
        using var connection = Open();
        SqliteDatabase.Migrate(connection, typeof(HubDatabase).Assembly);
        if (connection.ExecuteScalar<long>("SELECT COUNT(*) FROM corridors") == 0)
        {
            using var tx = connection.BeginTransaction();
            foreach (var (code, name) in Codes.DefaultCorridors.Entries)
            {
                connection.Execute("INSERT INTO corridors (code, name) VALUES (@code, @name)", new { code, name }, tx);
            }

            tx.Commit();
        }
    }
}
