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
    private readonly Dictionary<(string Table, string State), (string State, string Month, long Version)[]> _byTableAndState = [];
    private SqliteConnection? _connection;
    private long _dataVersion = -1;

    /// <summary>(state, month, version) of the query's table within its month range and states.</summary>
    public IReadOnlyList<(string State, string Month, long Version)> Of(CellQuery query)
    {
        List<(string State, string Month, long Version)[]> lists;
        lock (_lock)
        {
            _connection ??= database.Open(readOnly: true);
            var dataVersion = _connection.ExecuteScalar<long>("PRAGMA data_version");
            if (dataVersion != _dataVersion)
            {
                _byTable.Clear();
                _byTableAndState.Clear();
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
                    foreach (var state in table.GroupBy(v => v.State))
                    {
                        // A question about a few states (every per-state series of a detection pass) reads only theirs.
                        _byTableAndState[(table.Key, state.Key)] = [.. state.Select(v => (v.State, v.Month, v.Version))];
                    }
                }
            }

            if (query.States.Count == 0)
            {
                var result = new List<(string, string, long)>();
                AddRange(result, _byTable.GetValueOrDefault(query.Table) ?? [], query);
                return result;
            }

            lists = [.. query.States.Distinct(StringComparer.Ordinal).Select(s => _byTableAndState.GetValueOrDefault((query.Table, s)) ?? [])];
        }

        var selected = new List<(string, string, long)>();
        foreach (var list in lists)
        {
            AddRange(selected, list, query);
        }

        return selected;
    }

    /// <summary>The entries of <paramref name="byMonth"/> (ordered by month) within the query's month range.</summary>
    private static void AddRange(List<(string, string, long)> result, (string State, string Month, long Version)[] byMonth, CellQuery query)
    {
        var first = query.FromMonth is null ? 0 : FirstAtOrAfter(byMonth, query.FromMonth);
        for (var i = first; i < byMonth.Length && (query.ToMonth is null || string.CompareOrdinal(byMonth[i].Month, query.ToMonth) <= 0); i++)
        {
            result.Add(byMonth[i]);
        }
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
