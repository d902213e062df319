using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using VrsMsrc.Node.Storage;

namespace VrsMsrc.Node.Ingest;

internal sealed record ImportSummary(string File, string Kind, long Stored, long Unchanged, long RejectedRows, IReadOnlyList<ImportProblem> Problems, string? RejectsFile)
{
    /// <summary>Lines of the rows that were rejected, for per-row answers of the ingest API.</summary>
    public IReadOnlySet<long> RejectedLines => Problems.Select(p => p.Line).ToHashSet();
}

/// <summary>How far an import got: rows read and bytes of the file.</summary>
internal sealed record ImportProgress(long Rows, long Bytes, long TotalBytes);

/// <summary>
/// Imports rows of one kind. Every valid row of a source is stored in one transaction (a process that
/// dies leaves the database as before, never half), every invalid row is reported with all its
/// problems, and rejected rows are written to a rejects file beside a summary.
/// </summary>
internal sealed class Importer(NodeDatabase database, TimeProvider time, string rejectsDir)
{
    public const string Incidents = "incidents";
    public static readonly IReadOnlyList<string> Kinds = [Incidents, PersonKind.Migrants.Name, PersonKind.Facilitators.Name];

    public ImportSummary ImportFile(string path, string kind, string? format, Action<ImportProgress>? progress = null)
    {
        var file = Path.GetFileName(path);
        var fileFormat = InputRecords.FormatOf(path, format);
        var size = new FileInfo(path).Length;
        IEnumerable<(InputRecord?, ImportProblem?)> Read()
        {
            using var reader = new StreamReader(path);
            var rows = 0L;
            foreach (var row in InputRecords.Read(reader, file, fileFormat, FieldsOf(kind)))
            {
                if (++rows % 4096 == 0)
                {
                    progress?.Invoke(new ImportProgress(rows, reader.BaseStream.Position, size));
                }

                yield return row;
            }

            progress?.Invoke(new ImportProgress(rows, size, size));
        }

        return Import(file, Path.GetFullPath(path), kind, Read);
    }

    /// <summary>Rows that arrived in one request of the ingest API; line numbers are their positions from 1.</summary>
    public ImportSummary ImportRecords(string label, string kind, IReadOnlyList<(InputRecord?, ImportProblem?)> rows) =>
        Import(label, label, kind, () => rows);

    private static IReadOnlySet<string> FieldsOf(string kind) => kind switch
    {
        Incidents => IncidentRecord.Fields,
        "migrants" => PersonKind.Migrants.Fields,
        "facilitators" => PersonKind.Facilitators.Fields,
        _ => throw new ArgumentException($"unknown kind '{kind}'", nameof(kind)),
    };

    private ImportSummary Import(string label, string source, string kind, Func<IEnumerable<(InputRecord?, ImportProblem?)>> rows)
    {
        var problems = new List<ImportProblem>();
        using var connection = database.Open();
        using var tx = connection.BeginTransaction();
        var (stored, unchanged) = kind == Incidents
            ? new IncidentWriter(connection, tx, database.Corridors(), time).Write(label, rows(), problems)
            : new PersonWriter(connection, tx, kind == "migrants" ? PersonKind.Migrants : PersonKind.Facilitators).Write(label, rows, problems);
        // Rule checks report after the row checks; the rejects file reads best in line order.
        problems = [.. problems.OrderBy(p => p.Line)];
        var rejected = problems.Select(p => p.Line).Distinct().LongCount();
        var rejectsFile = problems.Count == 0 ? null : WriteRejects(label, kind, stored, unchanged, rejected, problems);
        connection.Execute(
            "INSERT INTO imports (file, kind, rows_stored, rows_rejected, imported_at, rejects_file) VALUES (@source, @kind, @stored, @rejected, @at, @rejectsFile)",
            new { source, kind, stored, rejected, at = time.GetUtcNow().ToString("O"), rejectsFile }, tx);
        tx.Commit();
        return new ImportSummary(label, kind, stored, unchanged, rejected, problems, rejectsFile);
    }

    /// <summary>Deletes incidents (and their person rows) by ref; returns the refs that were not stored.</summary>
    public (long Deleted, IReadOnlyList<string> Unknown) Delete(IEnumerable<string> refs)
    {
        using var connection = database.Open();
        using var tx = connection.BeginTransaction();
        var unknown = new List<string>();
        var deleted = 0L;
        foreach (var reference in refs)
        {
            var month = connection.QuerySingleOrDefault<string>("DELETE FROM incidents WHERE ref = @reference RETURNING month", new { reference }, tx);
            if (month is null)
            {
                unknown.Add(reference);
                continue;
            }

            MarkChanged(connection, tx, month);
            deleted++;
        }

        tx.Commit();
        return (deleted, unknown);
    }

    internal static void MarkChanged(SqliteConnection connection, SqliteTransaction tx, string month) =>
        connection.Execute(
            "INSERT INTO months (month, version, changed) VALUES (@month, 0, 1) ON CONFLICT (month) DO UPDATE SET changed = 1",
            new { month }, tx);

    private string WriteRejects(string label, string kind, long stored, long unchanged, long rejected, List<ImportProblem> problems)
    {
        Directory.CreateDirectory(rejectsDir);
        var stem = Path.Combine(rejectsDir, $"{Path.GetFileNameWithoutExtension(label)}-{time.GetUtcNow():yyyyMMddTHHmmssfff}");
        using (var writer = new StreamWriter(stem + ".rejects.csv"))
        {
            writer.WriteLine("file,line,field,value,reason");
            foreach (var p in problems)
            {
                writer.WriteLine(string.Join(',', new[] { p.File, p.Line.ToString(CultureInfo.InvariantCulture), p.Field, p.Value, p.Reason }.Select(Quote)));
            }
        }

        File.WriteAllText(stem + ".summary.txt",
            $"source: {label}\nkind: {kind}\nimported at: {time.GetUtcNow():O}\nrows stored: {stored}\nrows unchanged: {unchanged}\n" +
            $"rows rejected: {rejected}\nproblems: {problems.Count}\nproblems by field:\n" +
            string.Concat(problems.GroupBy(p => p.Field.Length == 0 ? "(row)" : p.Field).OrderByDescending(g => g.Count())
                .Select(g => $"  {g.Key}: {g.Count()}\n")));
        return stem + ".rejects.csv";
    }

    private static string Quote(string value) => "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
