using Dapper;
using Microsoft.Data.Sqlite;

namespace VrsMsrc.Hub.Storage;

/// <summary>
/// The version of each stored month, held in memory while the database is unchanged. SQLite's data_version,
/// read on one connection kept open for it, changes whenever any other connection (this hub's ingest, or
/// another process) commits, so a question costs no read of month_cells unless something was written since
/// the last one. A month is stored whole, so its version is every table's.
/// </summary>
internal sealed class StoredVersions(HubDatabase database) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (string State, string Month, long Version)[]> _byState = new(StringComparer.Ordinal);
    private (string State, string Month, long Version)[]? _all;
    private SqliteConnection? _connection;
    private long _dataVersion = -1;

    /// <summary>(state, month, version) within the query's month range and states.</summary>
    public IReadOnlyList<(string State, string Month, long Version)> Of(CellQuery query)
    {
        List<(string State, string Month, long Version)[]> lists;
        lock (_lock)
        {
            _connection ??= database.Open(readOnly: true);
            var dataVersion = _connection.ExecuteScalar<long>("PRAGMA data_version");
            if (dataVersion != _dataVersion || _all is null)
            {
                // The version columns come before the cells in each row: this reads no cells.
                _all = [.. _connection.Query<(string State, string Month, long Version)>("SELECT state, month, version FROM month_cells ORDER BY month, state")];
                _byState.Clear();
                foreach (var state in _all.GroupBy(v => v.State))
                {
                    // A question about a few states (every per-state series of a detection pass) reads only theirs.
                    _byState[state.Key] = [.. state];
                }

                _dataVersion = dataVersion;
            }

            if (query.States.Count == 0)
            {
                var result = new List<(string, string, long)>();
                AddRange(result, _all, query);
                return result;
            }

            lists = [.. query.States.Distinct(StringComparer.Ordinal).Select(s => _byState.GetValueOrDefault(s) ?? [])];
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
