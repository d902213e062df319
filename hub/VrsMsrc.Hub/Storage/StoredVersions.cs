using Dapper;
using Microsoft.Data.Sqlite;

namespace VrsMsrc.Hub.Storage;

/// <summary>
/// The month_versions rows of each table, held in memory while the database is unchanged. SQLite's
/// data_version, read on one connection kept open for it, changes whenever any other connection (this
/// hub's ingest, or another process) commits, so a question costs no read of month_versions unless
/// something was written since the last one.
/// </summary>
internal sealed class StoredVersions(HubDatabase database) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (string State, string Month, long Version)[]> _byTable = new(StringComparer.Ordinal);
    private SqliteConnection? _connection;
    private long _dataVersion = -1;

    /// <summary>(state, month, version) of the query's table within its month range and states, by month.</summary>
    public IReadOnlyList<(string State, string Month, long Version)> Of(CellQuery query)
    {
        (string State, string Month, long Version)[] all;
        lock (_lock)
        {
            _connection ??= database.Open(readOnly: true);
            var dataVersion = _connection.ExecuteScalar<long>("PRAGMA data_version");
            if (dataVersion != _dataVersion)
            {
                _byTable.Clear();
                _dataVersion = dataVersion;
            }

            if (_byTable.Count == 0)
            {
                // Every table in one read: cheaper than a scan per table, and an index by table would cost
                // every ingest its upkeep.
                foreach (var table in _connection.Query<(string Table, string State, string Month, long Version)>(
                    "SELECT tbl, state, month, version FROM month_versions ORDER BY tbl, month, state").GroupBy(v => v.Table))
                {
                    _byTable[table.Key] = [.. table.Select(v => (v.State, v.Month, v.Version))];
                }
            }

            all = _byTable.GetValueOrDefault(query.Table) ?? [];
        }

        var first = query.FromMonth is null ? 0 : FirstAtOrAfter(all, query.FromMonth);
        var states = query.States.Count == 0 ? null : query.States.ToHashSet(StringComparer.Ordinal);
        var result = new List<(string, string, long)>();
        for (var i = first; i < all.Length && (query.ToMonth is null || string.CompareOrdinal(all[i].Month, query.ToMonth) <= 0); i++)
        {
            if (states is null || states.Contains(all[i].State))
            {
                result.Add(all[i]);
            }
        }

        return result;
    }

    private static int FirstAtOrAfter((string State, string Month, long Version)[] all, string month)
    {
        int low = 0, high = all.Length;
        while (low < high)
        {
            var mid = (low + high) / 2;
            if (string.CompareOrdinal(all[mid].Month, month) < 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _connection?.Dispose();
        }
    }
}
