using Dapper;
using Microsoft.Data.Sqlite;
using VrsMsrc.Contracts.Storage;

namespace VrsMsrc.Node.Ingest;

/// <summary>
/// Stores migrant or facilitator rows inside the import's transaction. The rows a source gives for an
/// incident are all of that incident's rows of the kind: they replace the stored ones position by
/// position (each position keeps its record key), and positions beyond them are removed.
/// Rows are written as they are read. The cross-row rules (the incident exists; its migrants figure
/// equals the sum of its valid migrant rows) are checked on the way; if an incident breaks the sum
/// rule, everything written is rolled back to a savepoint and the source is read once more without
/// that incident's rows, so a clean file costs one read.
/// </summary>
internal sealed class PersonWriter(SqliteConnection connection, SqliteTransaction tx, PersonKind kind)
{
    private readonly RecordKeys _keys = new();

    private sealed class IncidentState(bool exists, string month, long? migrants, bool hadRows)
    {
        public bool Exists => exists;
        public string Month => month;
        public long? Migrants => migrants;

        /// <summary>Whether rows of the kind were stored for the incident before this import.</summary>
        public bool HadRows => hadRows;
        public long Sum { get; set; }
        public int Rows { get; set; }
        public bool Changed { get; set; }
    }

    public (long Stored, long Unchanged) Write(string file, Func<IEnumerable<(InputRecord? Record, ImportProblem? Problem)>> rows, List<ImportProblem> problems)
    {
        var refused = new Dictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            connection.Execute("SAVEPOINT persons", transaction: tx);
            var attempt = new List<ImportProblem>();
            var (incidents, stored, unchanged) = WriteOnce(file, rows(), attempt, refused);
            var broken = ReferenceEquals(kind, PersonKind.Migrants)
                ? incidents.Where(i => i.Value.Rows > 0 && i.Value.Migrants is { } m && m != i.Value.Sum).ToList()
                : [];
            if (broken.Count == 0)
            {
                Finish(incidents);
                connection.Execute("RELEASE persons", transaction: tx);
                problems.AddRange(attempt);
                return (stored, unchanged);
            }

            connection.Execute("ROLLBACK TO persons; RELEASE persons", transaction: tx);
            foreach (var (reference, state) in broken)
            {
                refused[reference] = $"the incident's migrants is {state.Migrants} but its valid migrant rows add up to {state.Sum}";
            }
        }
    }

    private (Dictionary<string, IncidentState>, long Stored, long Unchanged) WriteOnce(
        string file, IEnumerable<(InputRecord? Record, ImportProblem? Problem)> rows, List<ImportProblem> problems, Dictionary<string, string> refused)
    {
        var incidents = new Dictionary<string, IncidentState>(StringComparer.Ordinal);
        var columns = kind.Columns;
        // The hot path of an import: SQLite's own API, parameters by position (see SqliteStatement).
        using var find = new SqliteStatement(connection,
            $"SELECT month, migrants, EXISTS (SELECT 1 FROM {kind.Table} WHERE incident_ref = ?1) FROM incidents WHERE ref = ?1");
        using var upsert = new SqliteStatement(connection,
            $"""
            INSERT INTO {kind.Table} (incident_ref, ordinal, record_key, count, {string.Join(", ", columns)})
            VALUES (?1, ?2, ?3, ?4, {string.Join(", ", columns.Select((_, i) => $"?{5 + i}"))})
            ON CONFLICT (incident_ref, ordinal) DO UPDATE SET count = excluded.count, {string.Join(", ", columns.Select(c => $"{c} = excluded.{c}"))}
            WHERE {kind.Table}.count IS NOT excluded.count OR {string.Join(" OR ", columns.Select(c => $"{kind.Table}.{c} IS NOT excluded.{c}"))}
            """);
        long stored = 0, unchanged = 0;
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

            if (!incidents.TryGetValue(record.IncidentRef, out var incident))
            {
                find.Bind(1, record.IncidentRef);
                if (find.Read())
                {
                    incident = new IncidentState(true, find.Text(0)!, find.IsNull(1) ? null : find.GetInt64(1), find.GetInt64(2) != 0);
                    find.Reset();
                }
                else
                {
                    incident = new IncidentState(false, "", null, false);
                }

                incidents.Add(record.IncidentRef, incident);
            }

            var refusal = !incident.Exists ? "not a stored incident: import the incident first" : refused.GetValueOrDefault(record.IncidentRef);
            if (refusal is not null)
            {
                problems.Add(new ImportProblem(file, input!.Line, "incident_ref", record.IncidentRef, refusal));
                continue;
            }

            incident.Sum += record.Count;
            upsert.Bind(1, record.IncidentRef);
            upsert.Bind(2, incident.Rows++);
            upsert.Bind(3, _keys.Next());
            upsert.Bind(4, record.Count);
            for (var i = 0; i < record.Values.Length; i++)
            {
                upsert.BindObject(5 + i, record.Values[i]);
            }

            if (upsert.Execute() > 0)
            {
                incident.Changed = true;
                stored++;
            }
            else
            {
                unchanged++;
            }
        }

        return (incidents, stored, unchanged);
    }

    /// <summary>Removes positions the source no longer lists and marks the months of changed incidents.</summary>
    private void Finish(Dictionary<string, IncidentState> incidents)
    {
        using var trim = new SqliteStatement(connection, $"DELETE FROM {kind.Table} WHERE incident_ref = ?1 AND ordinal >= ?2");
        var months = new HashSet<string>();
        foreach (var (reference, incident) in incidents.Where(i => i.Value.Exists && i.Value.Rows > 0))
        {
            // Only an incident that had rows before can have positions beyond the ones just written.
            var trimmed = false;
            if (incident.HadRows)
            {
                trim.Bind(1, reference);
                trim.Bind(2, incident.Rows);
                trimmed = trim.Execute() > 0;
            }

            if (trimmed || incident.Changed)
            {
                months.Add(incident.Month);
            }
        }

        foreach (var month in months)
        {
            Importer.MarkChanged(connection, tx, month);
        }
    }
}
