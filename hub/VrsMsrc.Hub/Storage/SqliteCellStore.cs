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

    public async Task<ApplyResult> ApplyAsync(Release release, string sha256Hex, DateTimeOffset receivedAt, CancellationToken ct)
    {
        // A node that gave up while queued will send the release again; once applying, finish.
        await _writer.WaitAsync(ct);
        try
        {
            return Apply(release, sha256Hex, receivedAt);
        }
        finally
        {
            _writer.Release();
        }
    }

    public void Dispose() => _writer.Dispose();

    private ApplyResult Apply(Release release, string sha256Hex, DateTimeOffset receivedAt)
    {
        using var connection = database.Open();
        using var tx = connection.BeginTransaction();
        var known = connection.QuerySingleOrDefault<string>(
            "SELECT sha256 FROM releases WHERE release_id = @ReleaseId", new { release.ReleaseId }, tx);
        if (known is not null)
        {
            return new ApplyResult(known == sha256Hex ? ApplyOutcome.Duplicate : ApplyOutcome.Conflict, 0, 0);
        }

        int applied = 0, ignored = 0;
        long cells = 0;
        using var insert = InsertCommand(connection, tx);
        foreach (var month in release.Months)
        {
            var monthApplied = false;
            foreach (var table in month.Tables)
            {
                var current = connection.QuerySingleOrDefault<long?>(
                    "SELECT version FROM month_versions WHERE state = @State AND tbl = @Table AND month = @Month",
                    new { release.State, table.Table, month.Month }, tx);
                if (current >= month.Version)
                {
                    continue;
                }

                // Naming the table's measures lets SQLite seek on the primary key (tbl, measure, state,
                // month, ...) instead of scanning every stored cell of the table, which grows with the store.
                connection.Execute(
                    "DELETE FROM cells WHERE tbl = @Table AND measure IN @Measures AND state = @State AND month = @Month",
                    new { table.Table, Measures = ReleaseCatalogue.Find(table.Table)!.Measures, release.State, month.Month }, tx);
                foreach (var cell in table.Cells)
                {
                    Bind(insert, release.State, table.Table, month.Month, cell);
                    insert.ExecuteNonQuery();
                    cells++;
                }

                connection.Execute(
                    """
                    INSERT INTO month_versions (state, month, tbl, version, release_id) VALUES (@State, @Month, @Table, @Version, @ReleaseId)
                    ON CONFLICT (state, tbl, month) DO UPDATE SET version = excluded.version, release_id = excluded.release_id
                    """,
                    new { release.State, month.Month, table.Table, month.Version, release.ReleaseId }, tx);
                monthApplied = true;
            }

            if (monthApplied)
            {
                applied++;
            }
            else
            {
                ignored++;
            }
        }

        connection.Execute(
            """
            INSERT INTO releases (release_id, state, sha256, received_at, months, months_applied, cells)
            VALUES (@ReleaseId, @State, @sha256Hex, @At, @Months, @applied, @cells)
            """,
            new { release.ReleaseId, release.State, sha256Hex, At = receivedAt.ToString("O"), Months = release.Months.Count, applied, cells }, tx);
        ReleaseChain.Append(connection, tx, release.State, release.ReleaseId, sha256Hex, receivedAt);
        tx.Commit();
        return new ApplyResult(ApplyOutcome.Accepted, applied, ignored);
    }

    private static SqliteCommand InsertCommand(SqliteConnection connection, SqliteTransaction tx) => SqliteDatabase.Prepare(
        connection, tx,
        "INSERT INTO cells (state, tbl, month, measure, dim0, dim1, dim2, dim3, value) VALUES ($s, $t, $m, $me, $d0, $d1, $d2, $d3, $v)",
        ["$s", "$t", "$m", "$me", "$d0", "$d1", "$d2", "$d3", "$v"]);

    private static void Bind(SqliteCommand insert, string state, string table, string month, Cell cell)
    {
        var p = insert.Parameters;
        p[0].Value = state;
        p[1].Value = table;
        p[2].Value = month;
        p[3].Value = cell.Measure;
        for (var i = 0; i < ReleaseCatalogue.MaxDimensions; i++)
        {
            p[4 + i].Value = i < cell.Dims.Count ? cell.Dims[i] : "";
        }

        p[8].Value = cell.Value;
    }

    public IReadOnlyList<StoredCell> Cells(CellQuery query)
    {
        var (where, parameters) = Where(query, "c");
        using var connection = database.Open(readOnly: true);
        return connection.Query<(string State, string Month, string Dim0, string Dim1, string Dim2, string Dim3, long Value)>(
                $"SELECT state, month, dim0, dim1, dim2, dim3, value FROM cells c WHERE c.measure = @Measure AND {where}",
                parameters)
            .Select(r => new StoredCell(r.State, r.Month, new[] { r.Dim0, r.Dim1, r.Dim2, r.Dim3 }[..query.Width], r.Value))
            .ToList();
    }

    public IReadOnlyList<(string State, string Month)> Coverage(CellQuery query)
    {
        var (where, parameters) = Where(query with { Filters = [] }, "v");
        using var connection = database.Open(readOnly: true);
        return connection.Query<(string, string)>($"SELECT state, month FROM month_versions v WHERE {where}", parameters).ToList();
    }

    public IReadOnlyList<Corridor> Corridors()
    {
        using var connection = database.Open(readOnly: true);
        return connection.Query<(string Code, string Name)>("SELECT code, name FROM corridors ORDER BY code")
            .Select(c => new Corridor { Code = c.Code, Name = c.Name }).ToList();
    }

    /// <summary>
    /// The only text spliced into SQL is fixed column names chosen by position (dim0..dim3);
    /// every value travels as a parameter.
    /// </summary>
    private static (string Sql, DynamicParameters Parameters) Where(CellQuery query, string alias)
    {
        var parameters = new DynamicParameters();
        parameters.Add("Table", query.Table);
        parameters.Add("Measure", query.Measure);
        var clauses = new List<string> { $"{alias}.tbl = @Table" };
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
            clauses.Add($"{alias}.state IN @States");
            parameters.Add("States", query.States);
        }

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
