using Microsoft.Data.Sqlite;
using VrsMsrc.Contracts.Storage;
using VrsMsrc.Contracts.CodeLists;

namespace VrsMsrc.Node.Ingest;

/// <summary>
/// Stores incident rows inside the import's transaction. A known ref is a correction: the row is
/// updated in place (its record key and its migrant and facilitator rows stay), and the months it
/// left and entered are marked changed; an identical row changes nothing.
/// </summary>
internal sealed class IncidentWriter(SqliteConnection connection, SqliteTransaction tx, CodeList corridors, TimeProvider time)
{
    private static readonly string[] Columns =
    [
        "month", "detected_on", "agency", "context", "border_type", "transport_mode", "corridor", "origin", "destination",
        "transits", "nationality", "migrants", "facilitators", "dead_missing", "doc_fraud", "doc_type", "concealment",
    ];

    private readonly RecordKeys _keys = new();

    public (long Stored, long Unchanged) Write(string file, IEnumerable<(InputRecord? Record, ImportProblem? Problem)> rows, List<ImportProblem> problems)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var firstLine = new Dictionary<string, long>(StringComparer.Ordinal);
        using var find = Command(
            $"SELECT {string.Join(", ", Columns)}, (SELECT SUM(count) FROM migrants WHERE incident_ref = $ref) FROM incidents WHERE ref = $ref", "$ref");
        using var upsert = Command(
            $"""
            INSERT INTO incidents (ref, record_key, stored_at, {string.Join(", ", Columns)})
            VALUES ($ref, $key, $at, {string.Join(", ", Columns.Select(c => "$" + c))})
            ON CONFLICT (ref) DO UPDATE SET stored_at = excluded.stored_at, {string.Join(", ", Columns.Select(c => $"{c} = excluded.{c}"))}
            """,
            ["$ref", "$key", "$at", .. Columns.Select(c => "$" + c)]);
        using var clearLegs = Command("DELETE FROM incident_legs WHERE incident_ref = $ref", "$ref");
        using var addLeg = Command("INSERT INTO incident_legs (incident_ref, seq, from_country, to_country) VALUES ($ref, $seq, $from, $to)", "$ref", "$seq", "$from", "$to");
        var changedMonths = new HashSet<string>();
        var at = time.GetUtcNow().ToString("O");
        long stored = 0, unchanged = 0;
        foreach (var (input, readProblem) in rows)
        {
            if (readProblem is not null)
            {
                problems.Add(readProblem);
                continue;
            }

            var (record, rowProblems) = IncidentRecord.Validate(input!, file, corridors, today);
            if (record is not null && !firstLine.TryAdd(record.Ref, input!.Line))
            {
                rowProblems.Add(new ImportProblem(file, input.Line, "ref", record.Ref, $"appears twice in this file (first on line {firstLine[record.Ref]})"));
                record = null;
            }

            if (record is null)
            {
                problems.AddRange(rowProblems);
                continue;
            }

            var values = Values(record);
            find.Parameters[0].Value = record.Ref;
            string? oldMonth = null;
            using (var reader = find.ExecuteReader())
            {
                if (reader.Read())
                {
                    if (!reader.IsDBNull(Columns.Length) && record.Migrants is { } migrants && migrants != reader.GetInt64(Columns.Length))
                    {
                        problems.Add(new ImportProblem(file, input!.Line, "migrants", migrants.ToString(System.Globalization.CultureInfo.InvariantCulture),
                            $"the incident's {reader.GetInt64(Columns.Length)} stored migrant rows disagree; correct them together or leave migrants empty"));
                        continue;
                    }

                    if (Enumerable.Range(0, Columns.Length).All(i => Equals(Normalise(reader.GetValue(i)), Normalise(values[i]))))
                    {
                        unchanged++;
                        continue;
                    }

                    oldMonth = reader.GetString(0);
                }
            }

            upsert.Parameters[0].Value = record.Ref;
            upsert.Parameters[1].Value = _keys.Next();
            upsert.Parameters[2].Value = at;
            for (var i = 0; i < values.Length; i++)
            {
                upsert.Parameters[3 + i].Value = values[i] ?? DBNull.Value;
            }

            upsert.ExecuteNonQuery();
            clearLegs.Parameters[0].Value = record.Ref;
            clearLegs.ExecuteNonQuery();
            var seq = 0;
            foreach (var (from, to) in Legs(record))
            {
                addLeg.Parameters[0].Value = record.Ref;
                addLeg.Parameters[1].Value = seq++;
                addLeg.Parameters[2].Value = from;
                addLeg.Parameters[3].Value = to;
                addLeg.ExecuteNonQuery();
            }

            changedMonths.Add(record.Month);
            if (oldMonth is not null)
            {
                changedMonths.Add(oldMonth);
            }

            stored++;
        }

        foreach (var month in changedMonths)
        {
            Importer.MarkChanged(connection, tx, month);
        }

        return (stored, unchanged);
    }

    /// <summary>Consecutive pairs of the known stops of the journey: origin, transits in order, destination.</summary>
    private static IEnumerable<(string From, string To)> Legs(IncidentRecord r)
    {
        var stops = new List<string>();
        if (r.Origin is not null)
        {
            stops.Add(r.Origin);
        }

        stops.AddRange(r.Transits?.Split(';') ?? []);
        if (r.Destination is not null)
        {
            stops.Add(r.Destination);
        }

        return stops.Zip(stops.Skip(1)).Where(p => p.First != p.Second);
    }

    private static object?[] Values(IncidentRecord r) =>
    [
        r.Month, r.DetectedOn, r.Agency, r.Context, r.BorderType, r.TransportMode, r.Corridor, r.Origin, r.Destination,
        r.Transits, r.Nationality, r.Migrants, r.Facilitators, r.DeadMissing, r.DocFraud, r.DocType, r.Concealment,
    ];

    /// <summary>SQLite hands back longs and DBNull; records hold long? and null.</summary>
    private static object? Normalise(object? value) => value is DBNull ? null : value;

    private SqliteCommand Command(string sql, params string[] parameters) => SqliteDatabase.Prepare(connection, tx, sql, parameters);
}
