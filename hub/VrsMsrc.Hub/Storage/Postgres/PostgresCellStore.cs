using Dapper;
using Npgsql;
using NpgsqlTypes;
using VrsMsrc.Contracts.Catalogue;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Transparency;

namespace VrsMsrc.Hub.Storage.Postgres;

/// <summary>
/// Cells on PostgreSQL. Several hub processes may apply releases at once: a per-state advisory lock
/// orders the releases of one state across all of them (so version checks and the release chain see
/// every earlier release of that state), while different states apply in parallel; the primary key
/// on release_id backs the duplicate check.
/// </summary>
internal sealed class PostgresCellStore(PostgresDatabase database) : ICellStore, IDisposable
{
    // Not a lock (the database orders the applies): a bound on how many applies run at once, so that a
    // burst of pushes waits here, asynchronously and without a timeout, instead of piling into the
    // database server (where they would queue until statements time out) or exhausting the pool that
    // the certificate checks, audit and queries of this process need too.
    private readonly SemaphoreSlim _applying = new(database.ConcurrentApplies);

    public void Dispose() => _applying.Dispose();

    public async Task<ApplyResult> ApplyAsync(CheckedRelease release, string sha256Hex, DateTimeOffset receivedAt, InApplyTransaction? alsoStore, CancellationToken ct)
    {
        await _applying.WaitAsync(ct);
        try
        {
            return await ApplyUnboundedAsync(release, sha256Hex, receivedAt, alsoStore, ct);
        }
        finally
        {
            _applying.Release();
        }
    }

    private async Task<ApplyResult> ApplyUnboundedAsync(CheckedRelease release, string sha256Hex, DateTimeOffset receivedAt, InApplyTransaction? alsoStore, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await AdvisoryLocks.TakeAsync(connection, tx, AdvisoryLocks.StateReleases, release.State, ct);
        var known = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT sha256 FROM releases WHERE release_id = @ReleaseId", new { release.ReleaseId }, tx, cancellationToken: ct));
        if (known is not null)
        {
            var seen = new ApplyResult(known == sha256Hex ? ApplyOutcome.Duplicate : ApplyOutcome.Conflict, 0, 0);
            if (seen.Outcome == ApplyOutcome.Duplicate && alsoStore is not null)
            {
                alsoStore(tx, seen);
                await tx.CommitAsync(ct);
            }

            return seen;
        }

        // A month is replaced whole, as on SQLite: its tables all carry the month's version.
        var current = (await connection.QueryAsync<(string Month, long Version)>(new CommandDefinition(
                "SELECT month, MAX(version) FROM month_versions WHERE state = @State AND month = ANY(@Months) GROUP BY month",
                new { release.State, Months = release.Months.Select(m => m.Month).ToArray() }, tx, cancellationToken: ct)))
            .ToDictionary(v => v.Month, v => v.Version);
        var replaced = release.Months.Where(m => !current.TryGetValue(m.Month, out var version) || version < m.Version).ToList();
        var cells = await ReplaceAsync(connection, tx, release, replaced, ct);
        int applied = replaced.Count, ignored = release.Months.Count - replaced.Count;
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO releases (release_id, state, sha256, received_at, months, months_applied, cells)
            VALUES (@ReleaseId, @State, @sha256Hex, @At, @Months, @applied, @cells)
            """,
            new { release.ReleaseId, release.State, sha256Hex, At = receivedAt.ToString("O"), Months = release.Months.Count, applied, cells },
            tx, cancellationToken: ct));
        ReleaseChain.Append(connection, tx, release.State, release.ReleaseId, sha256Hex, receivedAt);
        var result = new ApplyResult(ApplyOutcome.Accepted, applied, ignored);
        alsoStore?.Invoke(tx, result);
        await tx.CommitAsync(ct);
        return result;
    }

    /// <summary>
    /// Deletes the cells and versions of every replaced month (each catalogue table's, whether the release
    /// carries it or not) in one statement each, streams the new cells with binary COPY (one round trip for
    /// the whole release) and records the new versions.
    /// </summary>
    private static async Task<long> ReplaceAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, CheckedRelease release, List<CheckedMonth> replaced, CancellationToken ct)
    {
        if (replaced.Count == 0)
        {
            return 0;
        }

        // Naming each table's measures lets the delete seek on the primary key (tbl, measure, state, month, ...).
        var keys = replaced.SelectMany(m => ReleaseCatalogue.All.SelectMany(t => t.Measures.Select(measure => (Table: t.Name, Measure: measure, m.Month)))).ToList();
        await connection.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM cells c USING unnest(@Tables, @Measures, @Months) AS k(tbl, measure, month)
            WHERE c.tbl = k.tbl AND c.measure = k.measure AND c.state = @State AND c.month = k.month
            """,
            new
            {
                release.State, Tables = keys.Select(k => k.Table).ToArray(), Measures = keys.Select(k => k.Measure).ToArray(),
                Months = keys.Select(k => k.Month).ToArray(),
            }, tx, cancellationToken: ct));

        long cells = 0;
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY cells (state, tbl, month, measure, dim0, dim1, dim2, dim3, value) FROM STDIN (FORMAT BINARY)", ct))
        {
            // The stored form of the checked cells, read back into rows: one format leaves the reader.
            var strings = new StringPool();
            foreach (var (month, table) in replaced.SelectMany(m => m.Tables.Select(t => (m, t))))
            {
                var width = ReleaseCatalogue.Find(table.Table)!.Dimensions.Count;
                foreach (var (measure, measureCells) in CellBlockCodec.Decode(table.Block.Span, release.State, month.Month, width, month.Version, strings).ByMeasure)
                {
                    foreach (var cell in measureCells)
                    {
                        await copy.StartRowAsync(ct);
                        await copy.WriteAsync(release.State, NpgsqlDbType.Text, ct);
                        await copy.WriteAsync(table.Table, NpgsqlDbType.Text, ct);
                        await copy.WriteAsync(month.Month, NpgsqlDbType.Text, ct);
                        await copy.WriteAsync(measure, NpgsqlDbType.Text, ct);
                        for (var i = 0; i < ReleaseCatalogue.MaxDimensions; i++)
                        {
                            await copy.WriteAsync(i < width ? cell.Dims[i] : "", NpgsqlDbType.Text, ct);
                        }

                        await copy.WriteAsync(cell.Value, NpgsqlDbType.Bigint, ct);
                        cells++;
                    }
                }
            }

            await copy.CompleteAsync(ct);
        }

        var versions = replaced.SelectMany(m => m.Tables.Select(t => (m.Month, t.Table, m.Version))).ToList();
        await connection.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM month_versions WHERE state = @State AND month = ANY(@Months);
            INSERT INTO month_versions (state, month, tbl, version, release_id)
            SELECT @State, v.month, v.tbl, v.version, @ReleaseId FROM unnest(@VersionMonths, @Tables, @Versions) AS v(month, tbl, version)
            """,
            new
            {
                release.State, release.ReleaseId, Months = replaced.Select(m => m.Month).ToArray(),
                VersionMonths = versions.Select(v => v.Month).ToArray(), Tables = versions.Select(v => v.Table).ToArray(), Versions = versions.Select(v => v.Version).ToArray(),
            }, tx, cancellationToken: ct));
        return cells;
    }

    public IReadOnlyList<StoredCell> Cells(CellQuery query)
    {
        var (where, parameters) = Where(query, "c");
        using var connection = database.Open();
        return connection.Query<(string State, string Month, string Dim0, string Dim1, string Dim2, string Dim3, long Value)>(
                $"SELECT state, month, dim0, dim1, dim2, dim3, value FROM cells c WHERE c.measure = @Measure AND {where}",
                parameters)
            .Select(r => new StoredCell(r.State, r.Month, new[] { r.Dim0, r.Dim1, r.Dim2, r.Dim3 }[..query.Width], r.Value))
            .ToList();
    }

    public IReadOnlyList<(string State, string Month)> Coverage(CellQuery query)
    {
        // A month is stored whole: released for one table is released for all.
        var (where, parameters) = CellQueryScope.Where(query, "v", "= ANY(@States)");
        using var connection = database.Open();
        return connection.Query<(string, string)>($"SELECT DISTINCT state, month FROM month_versions v {where}", parameters).ToList();
    }

    public IReadOnlyList<Corridor> Corridors()
    {
        using var connection = database.Open();
        return connection.Query<(string Code, string Name)>("SELECT code, name FROM corridors ORDER BY code")
            .Select(c => new Corridor { Code = c.Code, Name = c.Name }).ToList();
    }

    /// <summary>
    /// As on SQLite, the only text spliced into SQL is fixed column names chosen by position (dim0..dim3);
    /// every value travels as a parameter, the states as one array.
    /// </summary>
    private static (string Sql, DynamicParameters Parameters) Where(CellQuery query, string alias)
    {
        var (clauses, parameters) = CellQueryScope.Clauses(query, alias, "= ANY(@States)");
        clauses.Add($"{alias}.tbl = @Table");
        parameters.Add("Table", query.Table);
        parameters.Add("Measure", query.Measure);
        for (var i = 0; i < query.Filters.Count; i++)
        {
            var (dimension, value) = query.Filters[i];
            if (dimension < 0 || dimension >= ReleaseCatalogue.MaxDimensions)
            {
                throw new ArgumentOutOfRangeException(nameof(query), "filter dimension out of range");
            }

            clauses.Add($"{alias}.dim{dimension} = @F{i}");
            parameters.Add($"F{i}", value);
        }

        return (string.Join(" AND ", clauses), parameters);
    }
}
