using Dapper;
using Microsoft.Data.Sqlite;
using VrsMsrc.Contracts.CodeLists;
using VrsMsrc.Contracts.Storage;

namespace VrsMsrc.Node.Storage;

/// <summary>The node's SQLite file: raw records, month versions, outbox.</summary>
internal sealed class NodeDatabase(string path)
{
    public SqliteConnection Open(bool readOnly = false) => SqliteDatabase.Open(path, readOnly);

    public void Migrate()
    {
        using var connection = Open();
        SqliteDatabase.Migrate(connection, typeof(NodeDatabase).Assembly);
    }

    /// <summary>
    /// The corridor codes imports are checked against: the list last received from the hub, or the
    /// shipped default before the node has ever reached its hub.
    /// </summary>
    public CodeList Corridors()
    {
        using var connection = Open(readOnly: true);
        var cached = connection.Query<(string Code, string Name)>("SELECT code, name FROM corridors").ToList();
        return cached.Count == 0 ? Codes.DefaultCorridors : new CodeList("corridor", cached.Select(c => KeyValuePair.Create(c.Code, c.Name)));
    }

    /// <summary>
    /// Keeps the hub's corridor list for offline imports. Written only when it differs from the cached one:
    /// every push starts with a Hello, and an unchanged list is not worth a durable write each time.
    /// </summary>
    public void CacheCorridors(IEnumerable<(string Code, string Name)> corridors)
    {
        var fresh = corridors.OrderBy(c => c.Code, StringComparer.Ordinal).ToList();
        using var connection = Open();
        using var tx = connection.BeginTransaction();
        var cached = connection.Query<(string Code, string Name)>("SELECT code, name FROM corridors ORDER BY code COLLATE BINARY", transaction: tx);
        if (cached.SequenceEqual(fresh))
        {
            return;
        }

        connection.Execute("DELETE FROM corridors", transaction: tx);
        foreach (var (code, name) in fresh)
        {
            connection.Execute("INSERT INTO corridors (code, name) VALUES (@code, @name)", new { code, name }, tx);
        }

        tx.Commit();
    }
}
