using System.Security.Cryptography;
using Dapper;
using Microsoft.Data.Sqlite;
using VrsMsrc.Node.Storage;

namespace VrsMsrc.Node.Ingest;

internal sealed record ImportSummary(string File, long Stored, long Unchanged, long RejectedRows, IReadOnlyList<ImportProblem> Problems, string? RejectsFile);

/// <summary>
/// Imports incident rows: every valid row of a file is stored in one transaction (all or nothing if
/// the process dies), every invalid row is reported with all its problems and written to a rejects
/// file. A known ref is a correction: its row is replaced and keeps its record key.
/// </summary>
internal sealed class IncidentImporter(NodeDatabase database, TimeProvider time)
{
    private const string Columns =
        "ref, record_key, month, detected_on, agency, context, border_type, transport_mode, corridor, origin, destination, " +
        "transits, nationality, migrants, facilitators, dead_missing, doc_fraud, doc_type, concealment, stored_at";

    public ImportSummary Import(string path, string? format, string rejectsDir)
    {
        var file = Path.GetFileName(path);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var corridors = database.Corridors();
        var problems = new List<ImportProblem>();
        var rejectedLines = new HashSet<long>();
        var firstLineOfRef = new Dictionary<string, long>(StringComparer.Ordinal);
        long stored = 0, unchanged = 0;

        using var reader = new StreamReader(path);
        using var connection = database.Open();
        using var tx = connection.BeginTransaction();
        foreach (var (input, readProblem) in InputRecords.Read(reader, file, InputRecords.FormatOf(path, format), IncidentRecord.Fields))
        {
            if (readProblem is not null)
            {
                problems.Add(readProblem);
                rejectedLines.Add(readProblem.Line);
                continue;
            }

            var (record, rowProblems) = IncidentRecord.Validate(input!, file, corridors, today);
            if (record is not null && !firstLineOfRef.TryAdd(record.Ref, input!.Line))
            {
                rowProblems.Add(new ImportProblem(file, input.Line, "ref", record.Ref, $"appears twice in this file (first on line {firstLineOfRef[record.Ref]})"));
                record = null;
            }

            if (record is null)
            {
                problems.AddRange(rowProblems);
                rejectedLines.Add(input!.Line);
                continue;
            }

            if (Store(connection, tx, record))
            {
                stored++;
            }
            else
            {
                unchanged++;
            }
        }

        connection.Execute(
            "INSERT INTO imports (file, kind, rows_stored, rows_rejected, imported_at) VALUES (@path, 'incidents', @stored, @rejected, @at)",
            new { path = Path.GetFullPath(path), stored, rejected = rejectedLines.Count, at = time.GetUtcNow().ToString("O") }, tx);
        tx.Commit();

        var rejectsFile = problems.Count == 0 ? null : WriteRejects(rejectsDir, file, problems);
        return new ImportSummary(file, stored, unchanged, rejectedLines.Count, problems, rejectsFile);
    }

    /// <summary>Inserts or corrects one incident; false when the stored row is already identical.</summary>
    private bool Store(SqliteConnection connection, SqliteTransaction tx, IncidentRecord record)
    {
        var existing = connection.QuerySingleOrDefault<StoredIncident>(
            $"SELECT {Columns} FROM incidents WHERE ref = @Ref", new { record.Ref }, tx);
        if (existing is not null && existing.Matches(record))
        {
            return false;
        }

        var recordKey = existing?.record_key ?? RandomNumberGenerator.GetInt32(256);
        connection.Execute(
            $"""
            INSERT OR REPLACE INTO incidents ({Columns})
            VALUES (@Ref, @recordKey, @Month, @DetectedOn, @Agency, @Context, @BorderType, @TransportMode, @Corridor, @Origin,
                    @Destination, @Transits, @Nationality, @Migrants, @Facilitators, @DeadMissing, @DocFraud, @DocType, @Concealment, @at)
            """,
            new
            {
                record.Ref, recordKey, record.Month, record.DetectedOn, record.Agency, record.Context, record.BorderType,
                record.TransportMode, record.Corridor, record.Origin, record.Destination, record.Transits, record.Nationality,
                record.Migrants, record.Facilitators, record.DeadMissing, record.DocFraud, record.DocType, record.Concealment,
                at = time.GetUtcNow().ToString("O"),
            }, tx);
        MarkChanged(connection, tx, record.Month);
        if (existing is not null && existing.month != record.Month)
        {
            MarkChanged(connection, tx, existing.month);
        }

        return true;
    }

    internal static void MarkChanged(SqliteConnection connection, SqliteTransaction tx, string month) =>
        connection.Execute(
            "INSERT INTO months (month, version, changed) VALUES (@month, 0, 1) ON CONFLICT (month) DO UPDATE SET changed = 1",
            new { month }, tx);

    private string WriteRejects(string rejectsDir, string file, List<ImportProblem> problems)
    {
        Directory.CreateDirectory(rejectsDir);
        var path = Path.Combine(rejectsDir, $"{Path.GetFileNameWithoutExtension(file)}-{time.GetUtcNow():yyyyMMddTHHmmssfff}.rejects.csv");
        using var writer = new StreamWriter(path);
        writer.WriteLine("file,line,field,value,reason");
        foreach (var p in problems)
        {
            writer.WriteLine(string.Join(',', new[] { p.File, p.Line.ToString(System.Globalization.CultureInfo.InvariantCulture), p.Field, p.Value, p.Reason }.Select(Quote)));
        }

        return path;
    }

    private static string Quote(string value) => "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    // Column names as stored, so Dapper maps them without aliases.
#pragma warning disable IDE1006, CA1812
    private sealed record StoredIncident(
        string @ref, long record_key, string month, string detected_on, string? agency, string? context, string? border_type,
        string? transport_mode, string? corridor, string? origin, string? destination, string? transits, string? nationality,
        long? migrants, long? facilitators, long? dead_missing, string? doc_fraud, string? doc_type, string? concealment, string stored_at)
    {
        public bool Matches(IncidentRecord r) =>
            month == r.Month && detected_on == r.DetectedOn && agency == r.Agency && context == r.Context &&
            border_type == r.BorderType && transport_mode == r.TransportMode && corridor == r.Corridor && origin == r.Origin &&
            destination == r.Destination && transits == r.Transits && nationality == r.Nationality && migrants == r.Migrants &&
            facilitators == r.Facilitators && dead_missing == r.DeadMissing && doc_fraud == r.DocFraud && doc_type == r.DocType &&
            concealment == r.Concealment;
    }
#pragma warning restore IDE1006, CA1812
}
