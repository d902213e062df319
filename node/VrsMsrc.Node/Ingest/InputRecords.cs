using System.Text.Json;
using VrsMsrc.Contracts.Text;

namespace VrsMsrc.Node.Ingest;

/// <summary>One problem with an input row: everything an operator needs to find and fix it.</summary>
internal sealed record ImportProblem(string File, long Line, string Field, string Value, string Reason)
{
    public override string ToString() =>
        Field.Length == 0 ? $"{File}:{Line}: {Reason}" : $"{File}:{Line}: {Field} '{Value}': {Reason}";
}

/// <summary>
/// A row of input with its line number. Field names are lower case; an empty value means absent. Rows of
/// a CSV file share their header's names, so a row costs one array, not a dictionary.
/// </summary>
internal sealed class InputRecord(long line, IReadOnlyList<string> names, string[] values)
{
    public long Line => line;

    public bool TryGet(string field, out string value)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] == field && values[i].Length > 0)
            {
                value = values[i];
                return true;
            }
        }

        value = "";
        return false;
    }

    public string ValueOf(string field) => TryGet(field, out var value) ? value : "";

    /// <summary>Names of the fields that have a value.</summary>
    public IEnumerable<string> Present => names.Where((_, i) => values[i].Length > 0);
}

/// <summary>Reads CSV (RFC 4180, header row) or JSON Lines with the same field names into records.</summary>
internal static class InputRecords
{
    public static string FormatOf(string path, string? format) =>
        format ?? (Path.GetExtension(path).ToLowerInvariant() is ".jsonl" or ".ndjson" ? "jsonl" : "csv");

    /// <summary>Records, or a problem for a row that cannot even be read (it is reported, the rest go on).</summary>
    public static IEnumerable<(InputRecord? Record, ImportProblem? Problem)> Read(
        TextReader reader, string file, string format, IReadOnlySet<string> knownFields) =>
        format == "jsonl" ? ReadJsonLines(reader, file) : ReadCsv(reader, file, knownFields);

    private static IEnumerable<(InputRecord?, ImportProblem?)> ReadCsv(TextReader reader, string file, IReadOnlySet<string> knownFields)
    {
        var csv = new CsvReader(reader);
        string[] header;
        try
        {
            header = csv.ReadHeader().Select(h => h.Trim().TrimStart('\uFEFF').ToLowerInvariant()).ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{file}: {e.Message}");
        }

        var duplicate = header.GroupBy(h => h).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidDataException($"{file}:1: column '{duplicate.Key}' appears twice in the header");
        }

        // A column outside the format could carry free text about persons: the whole file is refused
        // before any of its rows is read.
        if (header.FirstOrDefault(h => !knownFields.Contains(h)) is { } unknown)
        {
            throw new InvalidDataException($"{file}:1: column '{unknown}' is not a field of input format v1 ({string.Join(", ", knownFields.Order())}); free text is refused");
        }

        while (true)
        {
            string[]? row;
            try
            {
                row = csv.ReadRecord();
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{file}: {e.Message}");
            }

            if (row is null)
            {
                yield break;
            }

            if (row.Length != header.Length)
            {
                yield return (null, new ImportProblem(file, csv.Line, "", "", $"row has {row.Length} fields, the header has {header.Length}"));
                continue;
            }

            for (var i = 0; i < row.Length; i++)
            {
                row[i] = row[i].Trim();
            }

            yield return (new InputRecord(csv.Line, header, row), null);
        }
    }

    private static IEnumerable<(InputRecord?, ImportProblem?)> ReadJsonLines(TextReader reader, string file)
    {
        var line = 0L;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            yield return ParseLine(text, file, line);
        }
    }

    private static (InputRecord?, ImportProblem?) ParseLine(string text, string file, long line)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return FromJson(document.RootElement, file, line);
        }
        catch (JsonException e)
        {
            return (null, new ImportProblem(file, line, "", "", $"not valid JSON: {e.Message}"));
        }
    }

    /// <summary>One JSON object as a record: the shape of a JSON Lines line and of a row sent to the ingest API.</summary>
    public static (InputRecord?, ImportProblem?) FromJson(JsonElement element, string file, long line)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return (null, new ImportProblem(file, line, "", "", "each row must be one JSON object"));
        }

        var names = new List<string>();
        var values = new List<string>();
        foreach (var property in element.EnumerateObject())
        {
            var name = property.Name.ToLowerInvariant();
            var value = property.Value;
            switch (value.ValueKind)
            {
                case JsonValueKind.Null:
                    break;
                case JsonValueKind.String when value.GetString()!.Trim().Length == 0:
                    break;
                case JsonValueKind.String:
                    names.Add(name);
                    values.Add(value.GetString()!.Trim());
                    break;
                case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                    names.Add(name);
                    values.Add(value.GetRawText());
                    break;
                default:
                    return (null, new ImportProblem(file, line, name, value.GetRawText(), "nested objects and arrays are not part of input format v1"));
            }
        }

        return (new InputRecord(line, names, [.. values]), null);
    }
}
