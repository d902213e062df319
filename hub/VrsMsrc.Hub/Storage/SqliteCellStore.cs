using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using VrsMsrc.Contracts.Catalogue;
using VrsMsrc.Contracts.Storage;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Transparency;

namespace VrsMsrc.Hub.Storage;

internal sealed class SqliteCellStore(HubDatabase database) : ICellStore, IDisposable
{
    // SQLite has one writer; serialising here means concurrent pushes queue instead of meeting
    // "database is locked" after the busy timeout. The queue is asynchronous so that fifty waiting
    // pushes hold no threads, which the TLS handshakes and streams of the others need.
    private readonly SemaphoreSlim _writer = new(1, 1);

    /// <summary>
    /// Decoded blocks held between queries (about 100 bytes a cell): enough for 50 states × 120 months
    /// of the full catalogue several times over; a store past it is read from disk again as asked.
    /// </summary>
    public const long MaxCachedCells = 2_000_000;

    private readonly CellBlockCache _cache = new(MaxCachedCells);
    private readonly StoredVersions _versions = new(database);
    private int _checkpointing;

    /// <summary>
    /// The writer's own connection, used only while holding <see cref="_writer"/>: kept open so that its page
    /// cache stays warm from one release to the next (a new connection reads every page it updates again).
    /// Dropped after a failure, so a connection in a bad state is not used twice.
    /// </summary>
    private SqliteConnection? _writing;
    private int _disposed;

    public async Task<ApplyResult> ApplyAsync(CheckedRelease release, string sha256Hex, DateTimeOffset receivedAt, InApplyTransaction? alsoStore, CancellationToken ct)
    {
        // The release comes with its months in their stored form (written while it was checked, as it arrived,
        // so that nodes pushing at once encode side by side): the writer only writes.
        // A node that gave up while queued will send the release again; once applying, finish.
        await _writer.WaitAsync(ct);
        ApplyResult result;
        try
        {
            result = Apply(release, sha256Hex, receivedAt, alsoStore);
        }
        catch (DbException)
        {
            _writing?.Dispose();
            _writing = null;
            throw;
        }
        finally
        {
            _writer.Release();
        }

        if (result.Outcome == ApplyOutcome.Accepted)
        {
            CheckpointSoon();
        }

        return result;
    }

    /// <summary>
    /// Copies the write-ahead log into the database file after the receipt rather than inside the commit
    /// (which SQLite's automatic checkpoint would do once the log passes 1,000 pages, as every large
    /// release does): the release is durable once its commit reached the log (synchronous=FULL); moving
    /// it into the main file is housekeeping that need not hold up the node. One checkpoint at a time.
    /// </summary>
    private void CheckpointSoon()
    {
        if (Interlocked.Exchange(ref _checkpointing, 1) == 1)
        {
            return;
        }

        _ = Task.Run(() =>
        {
            try
            {
                using var connection = database.Open();
                connection.Execute("PRAGMA wal_checkpoint(PASSIVE)");
            }
            catch (SqliteException)
            {
                // A checkpoint that cannot run now (the file busy or going away) runs after the next release.
            }
            finally
            {
                Volatile.Write(ref _checkpointing, 0);
            }
        });
    }

    public void Dispose()
    {
        // Both the host and HubStores dispose the store.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        // An apply in progress finishes before its connection is closed under it.
        _writer.Wait();
        _writing?.Dispose();
        _writing = null;
        _writer.Dispose();
        _versions.Dispose();
    }

    private ApplyResult Apply(CheckedRelease release, string sha256Hex, DateTimeOffset receivedAt, InApplyTransaction? alsoStore)
    {
        if (_writing is null)
        {
            _writing = database.Open();

            // See CheckpointSoon: this connection's commits only append to the log.
            _writing.Execute("PRAGMA wal_autocheckpoint=0");
        }

        var connection = _writing;
        using var tx = connection.BeginTransaction();
        var known = connection.QuerySingleOrDefault<string>(
            "SELECT sha256 FROM releases WHERE release_id = @ReleaseId", new { release.ReleaseId }, tx);
        if (known is not null)
        {
            var seen = new ApplyResult(known == sha256Hex ? ApplyOutcome.Duplicate : ApplyOutcome.Conflict, 0, 0);
            if (seen.Outcome == ApplyOutcome.Duplicate && alsoStore is not null)
            {
                alsoStore(tx, seen);
                tx.Commit();
            }

            return seen;
        }

        int applied = 0, ignored = 0;
        long cells = 0;
        var replaced = new List<string>();

        // One row per month through SQLite's own API, the release's values bound once: the row is replaced
        // only where the month's version is newer than the one stored (or none is), and SQLite counts no
        // change otherwise, which also spares reading the stored versions.
        using (var putMonth = new SqliteStatement(connection, "INSERT INTO month_cells (state, month, version, release_id, cells) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (state, month) DO UPDATE SET version = excluded.version, release_id = excluded.release_id, cells = excluded.cells WHERE excluded.version > month_cells.version"))
        {
            putMonth.Bind(1, release.State);
            putMonth.Bind(4, release.ReleaseId);
            foreach (var month in release.Months)
            {
                putMonth.Bind(2, month.Month);
                putMonth.Bind(3, month.Version);
                putMonth.BindUtf8(5, month.Stored.Span);
                if (putMonth.Execute() == 0)
                {
                    ignored++;
                    continue;
                }

                applied++;
                cells += month.Tables.Sum(t => t.Cells);
                replaced.Add(month.Month);
            }
        }

        connection.Execute(
            """
            INSERT INTO releases (release_id, state, sha256, received_at, months, months_applied, cells)
            VALUES (@ReleaseId, @State, @sha256Hex, @At, @Months, @applied, @cells)
            """,
            new { release.ReleaseId, release.State, sha256Hex, At = receivedAt.ToString("O"), Months = release.Months.Count, applied, cells }, tx);
        ReleaseChain.Append(connection, tx, release.State, release.ReleaseId, sha256Hex, receivedAt);
        var result = new ApplyResult(ApplyOutcome.Accepted, applied, ignored);
        alsoStore?.Invoke(tx, result);
        tx.Commit();

        // Versions already tell a replaced block from the cached one; forgetting it frees the memory soon, off
        // the writer's lock and the node's wait (a few thousand removals for a large release). Forgetting a
        // block a query has meanwhile read at the new version only costs that query's successor a read.
        _ = Task.Run(() =>
        {
            foreach (var month in replaced)
            {
                foreach (var table in ReleaseCatalogue.All)
                {
                    _cache.Forget(table.Name, month, release.State);
                }
            }
        });

        return result;
    }

    /// <summary>
    /// The cells of one table and measure: the versions stored for the asked range and states decide which
    /// blocks are needed; cached blocks at those versions are used as they are, and the others are read
    /// with the version they are stored at, so a block is never cached under a version it does not have.
    /// </summary>
    public IReadOnlyList<StoredCell> Cells(CellQuery query)
    {
        foreach (var (dimension, _) in query.Filters)
        {
            if (dimension < 0 || dimension >= query.Width)
            {
                throw new ArgumentOutOfRangeException(nameof(query), "filter dimension out of range");
            }
        }

        var stored = _versions.Of(query);
        var blocks = new Dictionary<(string State, string Month), CellBlock>();
        var missing = new HashSet<string>(StringComparer.Ordinal);
        string? first = null, last = null;
        foreach (var (state, month, version) in stored)
        {
            if (_cache.Get(query.Table, month, state, version) is { } cached)
            {
                blocks[(state, month)] = cached;
                continue;
            }

            missing.Add(state);
            first = first is null || string.CompareOrdinal(month, first) < 0 ? month : first;
            last = last is null || string.CompareOrdinal(month, last) > 0 ? month : last;
        }

        if (missing.Count > 0)
        {
            // A month's row holds every table: only the states and months not cached are read (after an
            // ingest, the one state's replaced months), not the whole range the question covers.
            var (where, parameters) = CellQueryScope.Where(query with { States = [.. missing], FromMonth = first, ToMonth = last }, "m", "IN @States");
            using var connection = database.Open(readOnly: true);
            using var reader = (DbDataReader)connection.ExecuteReader($"SELECT m.state, m.month, m.version, m.cells FROM month_cells m {where}", parameters);
            while (reader.Read())
            {
                var key = (_cache.Strings.Intern(reader.GetString(0)), _cache.Strings.Intern(reader.GetString(1)));
                if (!blocks.ContainsKey(key))
                {
                    var block = CellBlockCodec.DecodeTable(reader.GetFieldValue<byte[]>(3), query.Table, key.Item1, key.Item2, query.Width, reader.GetInt64(2), _cache.Strings);
                    _cache.Put(query.Table, key.Item2, key.Item1, block);
                    blocks[key] = block;
                }
            }
        }

        var result = new List<StoredCell>();
        foreach (var (state, month, _) in stored)
        {
            if (!blocks.TryGetValue((state, month), out var block) || !block.ByMeasure.TryGetValue(query.Measure, out var cells))
            {
                continue;
            }

            if (query.Filters.Count == 0)
            {
                result.AddRange(cells);
                continue;
            }

            foreach (var cell in cells)
            {
                if (Matches(cell, query.Filters))
                {
                    result.Add(cell);
                }
            }
        }

        return result;
    }

    private static bool Matches(StoredCell cell, IReadOnlyList<(int Dimension, string Value)> filters)
    {
        foreach (var (dimension, value) in filters)
        {
            if (!string.Equals(cell.Dims[dimension], value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    public IReadOnlyList<(string State, string Month)> Coverage(CellQuery query)
    {
        return _versions.Of(query).Select(v => (v.State, v.Month)).ToList();
    }

    public IReadOnlyList<Corridor> Corridors()
    {
        using var connection = database.Open(readOnly: true);
        return connection.Query<(string Code, string Name)>("SELECT code, name FROM corridors ORDER BY code")
            .Select(c => new Corridor { Code = c.Code, Name = c.Name }).ToList();
    }
}

/// <summary>
/// The month range and states of a cell query as SQL clauses, the same on SQLite and PostgreSQL but for how a
/// column is tested against the list of states (Dapper expands a list on SQLite, passes an array to PostgreSQL).
/// Every value travels as a parameter.
/// </summary>
internal static class CellQueryScope
{
    public static (List<string> Clauses, DynamicParameters Parameters) Clauses(CellQuery query, string alias, string inStates)
    {
        var parameters = new DynamicParameters();
        var clauses = new List<string>();
        if (query.FromMonth is not null)
        {
            clauses.Add($"{alias}.month >= @From");
            parameters.Add("From", query.FromMonth);
        }

        if (query.ToMonth is not null)
        {
            clauses.Add($"{alias}.month <= @To");
            parameters.Add("To", query.ToMonth);
        }

        if (query.States.Count > 0)
        {
            clauses.Add($"{alias}.state {inStates}");
            parameters.Add("States", query.States.ToArray());
        }

        return (clauses, parameters);
    }

    /// <summary>The clauses as a WHERE clause, or nothing when the query takes every month and state.</summary>
    public static (string Where, DynamicParameters Parameters) Where(CellQuery query, string alias, string inStates)
    {
        var (clauses, parameters) = Clauses(query, alias, inStates);
        return (clauses.Count == 0 ? "" : "WHERE " + string.Join(" AND ", clauses), parameters);
    }
}
