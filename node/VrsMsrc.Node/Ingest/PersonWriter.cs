using Dapper;
using Microsoft.Data.Sqlite;
using VrsMsrc.Contracts.Storage;

namespace VrsMsrc.Node.Ingest;

/// <summary>
/// Stores migrant or facilitator rows inside the import's transaction. The rows a source gives for an
/// incident are all of that incident's rows of the kind: they replace the stored ones position by
/// position (each position keeps its record key), and positions beyond them are removed.
/// Valid rows go to a temporary staging table first, so that the cross-row rules (the incident exists;
/// its migrants figure equals the sum of its migrant rows) and the merge run as set operations inside
/// SQLite, in one read of the source.
/// </summary>
internal sealed class PersonWriter(SqliteConnection connection, SqliteTransaction tx, PersonKind kind)
{
    public (long Stored, long Unchanged) Write(string file, IEnumerable<(InputRecord? Record, ImportProblem? Problem)> rows, List<ImportProblem> problems)
    {
        var columns = kind.Columns;
        Execute($"CREATE TEMP TABLE IF NOT EXISTS staging_{kind.Table} (line INTEGER PRIMARY KEY, incident_ref TEXT NOT NULL, count INTEGER NOT NULL, {string.Join(", ", columns)})");
        Execute($"DELETE FROM staging_{kind.Table}");
        var staged = 0L;
        using (var stage = Command(
            $"INSERT INTO staging_{kind.Table} (line, incident_ref, count, {string.Join(", ", columns)}) VALUES ($line, $ref, $count, {string.Join(", ", columns.Select(c => "$" + c))})",
            ["$line", "$ref", "$count", .. columns.Select(c => "$" + c)]))
        {
            foreach (var (input, readProblem) in rows)
            {
                if (readProblem is not null)
                {
                    problems.Add(readProblem);
                    continue;
                }

                var (record, rowProblems) = kind.Validate(input!, file);
                if (record is null)
                {
                    problems.AddRange(rowProblems);
                    continue;
                }

                var p = stage.Parameters;
                p[0].Value = input!.Line;
                p[1].Value = record.IncidentRef;
                p[2].Value = record.Count;
                for (var i = 0; i < record.Values.Length; i++)
                {
                    p[3 + i].Value = record.Values[i] ?? DBNull.Value;
                }

                stage.ExecuteNonQuery();
                staged++;
            }
        }

        Execute($"CREATE INDEX IF NOT EXISTS staging_{kind.Table}_incident ON staging_{kind.Table} (incident_ref, line)");
        staged -= Refuse(file, problems,
            $"SELECT s.line, s.incident_ref, 'not a stored incident: import the incident first' FROM staging_{kind.Table} s " +
            "WHERE NOT EXISTS (SELECT 1 FROM incidents i WHERE i.ref = s.incident_ref)");
        if (ReferenceEquals(kind, PersonKind.Migrants))
        {
            staged -= Refuse(file, problems,
                $"""
                SELECT s.line, s.incident_ref, 'the incident''s migrants is ' || i.migrants || ' but its valid migrant rows add up to ' || t.total
                FROM staging_{kind.Table} s
                JOIN (SELECT incident_ref, SUM(count) AS total FROM staging_{kind.Table} GROUP BY incident_ref) t ON t.incident_ref = s.incident_ref
                JOIN incidents i ON i.ref = s.incident_ref
                WHERE i.migrants IS NOT NULL AND i.migrants <> t.total
                """);
        }

        var changedRows = Merge();
        var changed = changedRows.ToHashSet(StringComparer.Ordinal);
        changed.UnionWith(connection.Query<string>(
            $"""
            DELETE FROM {kind.Table} WHERE incident_ref IN (SELECT incident_ref FROM staging_{kind.Table})
              AND ordinal >= (SELECT COUNT(*) FROM staging_{kind.Table} s WHERE s.incident_ref = {kind.Table}.incident_ref)
            RETURNING incident_ref
            """, transaction: tx));
        using (var monthOf = Command("SELECT month FROM incidents WHERE ref = $ref", ["$ref"]))
        {
            var months = changed.Select(reference =>
            {
                monthOf.Parameters[0].Value = reference;
                return (string)monthOf.ExecuteScalar()!;
            }).ToHashSet();
            foreach (var month in months)
            {
                Importer.MarkChanged(connection, tx, month);
            }
        }

        Execute($"DELETE FROM staging_{kind.Table}");
        return (changedRows.Count, staged - changedRows.Count);
    }

    /// <summary>
    /// Upserts the staged rows by (incident, position); an identical row is not rewritten and not
    /// returned. Returns the incident of every row written.
    /// </summary>
    private List<string> Merge()
    {
        // New positions get a record key from the system's cryptographic generator, like incidents.
        connection.CreateFunction("record_key", Importer.NewRecordKey);
        var columns = kind.Columns;
        return connection.Query<string>(
            $"""
            INSERT INTO {kind.Table} (incident_ref, ordinal, record_key, count, {string.Join(", ", columns)})
            SELECT incident_ref, ROW_NUMBER() OVER (PARTITION BY incident_ref ORDER BY line) - 1, record_key(), count, {string.Join(", ", columns)}
            FROM staging_{kind.Table} WHERE true
            ON CONFLICT (incident_ref, ordinal) DO UPDATE SET count = excluded.count, {string.Join(", ", columns.Select(c => $"{c} = excluded.{c}"))}
            WHERE {kind.Table}.count IS NOT excluded.count OR {string.Join(" OR ", columns.Select(c => $"{kind.Table}.{c} IS NOT excluded.{c}"))}
            RETURNING incident_ref
            """, transaction: tx).ToList();
    }

    /// <summary>Reports the rows a rule refuses (line, incident_ref, reason) and drops them from staging.</summary>
    private long Refuse(string file, List<ImportProblem> problems, string sql)
    {
        var refused = connection.Query<(long Line, string Ref, string Reason)>(sql, transaction: tx).ToList();
        foreach (var (line, reference, reason) in refused)
        {
            problems.Add(new ImportProblem(file, line, "incident_ref", reference, reason));
        }

        connection.Execute($"DELETE FROM staging_{kind.Table} WHERE line IN (SELECT line FROM ({sql}))", transaction: tx);
        return refused.Count;
    }

    private void Execute(string sql) => connection.Execute(sql, transaction: tx);

    private SqliteCommand Command(string sql, string[] parameters) => SqliteDatabase.Prepare(connection, tx, sql, parameters);
}
