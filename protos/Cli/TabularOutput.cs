using System.Globalization;
using System.Text.Json;

namespace VrsMsrc.Contracts.Cli;

/// <summary>
/// Writes rows as an aligned table for people, or as CSV / JSON for scripts (DESIGN §6: the CSV columns
/// are a contract; JSON carries the same fields).
/// </summary>
public static class TabularOutput
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static void Write(TextWriter output, string format, IReadOnlyList<string> columns, IEnumerable<object?[]> rows)
    {
        switch (format)
        {
            case "csv":
                output.WriteLine(string.Join(',', columns));
                foreach (var row in rows)
                {
                    output.WriteLine(string.Join(',', row.Select(v => Csv(Text(v)))));
                }

                break;
            case "json":
                var objects = rows.Select(r => columns.Select((c, i) => (c, r[i])).ToDictionary(x => x.c, x => x.Item2));
                output.WriteLine(JsonSerializer.Serialize(objects, Indented));
                break;
            default:
                var text = rows.Select(r => r.Select(Text).ToArray()).ToList();
                var widths = columns.Select((c, i) => Math.Max(c.Length, text.Count == 0 ? 0 : text.Max(r => r[i].Length))).ToArray();
                output.WriteLine(string.Join("  ", columns.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
                output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
                foreach (var row in text)
                {
                    output.WriteLine(string.Join("  ", row.Select((v, i) => IsNumber(v) ? v.PadLeft(widths[i]) : v.PadRight(widths[i]))).TrimEnd());
                }

                break;
        }
    }

    private static string Text(object? value) => value switch
    {
        null => "",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static bool IsNumber(string value) => value.Length > 0 && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
