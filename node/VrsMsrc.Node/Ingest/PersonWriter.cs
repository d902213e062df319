using System.Globalization;
using Microsoft.Data.Sqlite;
using VrsMsrc.Contracts.Storage;

namespace VrsMsrc.Node.Ingest;

/// <summary>
/// Stores migrant or facilitator rows inside the import's transaction. The rows a source gives for an
/// incident are all of that incident's rows of the kind: they replace the stored ones position by
/// position (each position keeps its record key), and positions beyond them are removed.
/// Two passes over the source: the first checks the cross-row rules (the incident exists; its
/// migrants figure equals the sum of its migrant rows), the second stores what passed.
/// </summary>
internal sealed class PersonWriter(SqliteConnection connection, SqliteTransaction tx, PersonKind kind)
{
    private sealed record IncidentState(string Month, long? Migrants)
    {
        public long ValidCount { get; set; }
        public int Rows { get; set; }
        public string? Refusal { get; set; }
        public bool Changed { get; set; }
    }

    public (long Stored, long Unchanged) Write(string file, Func<IEnumerable<(InputRecord? Record, ImportProblem? Problem)>> rows, List<ImportProblem> problems)
    {
        var incidents = FirstPass(file, rows());
        using var upsert = Upsert();
        long stored = 0, unchanged = 0;
        foreach (var (input, readProblem) in rows())
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

            var incident = incidents[record.IncidentRef];
            if (incident.Refusal is not null)
            {
                problems.Add(new ImportProblem(file, input!.Line, "incident_ref", record.IncidentRef, incident.Refusal));
                continue;
            }

            var p = upsert.Parameters;
            p[0].Value = record.IncidentRef;
            p[1].Value = incident.Rows++;
            p[2].Value = Importer.NewRecordKey();
            p[3].Value = record.Count;
            for (var i = 0; i < record.Values.Length; i++)
            {
                p[4 + i].Value = record.Values[i] ?? DBNull.Value;
            }

            if (upsert.ExecuteNonQuery() > 0)
            {
                incident.Changed = true;
                stored++;
            }
            else
            {
                unchanged++;
            }
        }

        using var trim = Command($"DELETE FROM {kind.Table} WHERE incident_ref = $ref AND ordinal >= $rows", "$ref", "$rows");
        foreach (var (reference, incident) in incidents.Where(i => i.Value.Refusal is null))
        {
            trim.Parameters[0].Value = reference;
            trim.Parameters[1].Value = incident.Rows;
            if (trim.ExecuteNonQuery() > 0 || incident.Changed)
            {
                Importer.MarkChanged(connection, tx, incident.Month);
            }
        }

        return (stored, unchanged);
    }

    /// <summary>Per incident the source mentions: does it exist, and do its valid rows add up.</summary>
    private Dictionary<string, IncidentState> FirstPass(string file, IEnumerable<(InputRecord? Record, ImportProblem? Problem)> rows)
    {
        var incidents = new Dictionary<string, IncidentState>(StringComparer.Ordinal);
        using var find = Command("SELECT month, migrants FROM incidents WHERE ref = $ref", "$ref");
        foreach (var (input, _) in rows)
        {
            if (input is null || kind.Validate(input, file).Record is not { } record)
            {
                continue;
            }

            if (!incidents.TryGetValue(record.IncidentRef, out var incident))
            {
                find.Parameters[0].Value = record.IncidentRef;
                using var reader = find.ExecuteReader();
                incident = reader.Read()
                    ? new IncidentState(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt64(1))
                    : new IncidentState("", null) { Refusal = "not a stored incident: import the incident first" };
                incidents.Add(record.IncidentRef, incident);
            }

            incident.ValidCount += record.Count;
        }

        if (ReferenceEquals(kind, PersonKind.Migrants))
        {
            foreach (var incident in incidents.Values.Where(i => i.Refusal is null && i.Migrants is { } m && m != i.ValidCount))
            {
                incident.Refusal = string.Create(CultureInfo.InvariantCulture,
                    $"the incident's migrants is {incident.Migrants} but its valid migrant rows add up to {incident.ValidCount}");
            }
        }

        return incidents;
    }

    /// <summary>An unchanged row is not rewritten, so SQLite reports 0 changes for it.</summary>
    private SqliteCommand Upsert()
    {
        var columns = kind.Columns;
        return Command(
            $"""
            INSERT INTO {kind.Table} (incident_ref, ordinal, record_key, count, {string.Join(", ", columns)})
            VALUES ($ref, $ordinal, $key, $count, {string.Join(", ", columns.Select(c => "$" + c))})
            ON CONFLICT (incident_ref, ordinal) DO UPDATE SET count = excluded.count, {string.Join(", ", columns.Select(c => $"{c} = excluded.{c}"))}
            WHERE {kind.Table}.count IS NOT excluded.count OR {string.Join(" OR ", columns.Select(c => $"{kind.Table}.{c} IS NOT excluded.{c}"))}
            """,
            ["$ref", "$ordinal", "$key", "$count", .. columns.Select(c => "$" + c)]);
    }

    private SqliteCommand Command(string sql, params string[] parameters) => SqliteDatabase.Prepare(connection, tx, sql, parameters);
}
