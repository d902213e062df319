using System.Globalization;
using VrsMsrc.Contracts.Text;

namespace VrsMsrc.Hub.Trends.Detection;

/// <summary>One monthly count series, without gaps; null marks a missing (suppressed or unreleased) month.</summary>
internal sealed record CountSeries(string Name, DateOnly FirstMonth, IReadOnlyList<double?> Observed)
{
    public DateOnly Month(int index) => FirstMonth.AddMonths(index);
}

/// <summary>
/// Reads <c>series,month,observed</c> CSV, the shape of the reference inputs. A month without a row inside a
/// series' first..last range counts as 0 (the published series leave out empty months); an empty or NA
/// observed field is a missing month. Problems are reported as <c>FILE:LINE: field: reason</c>.
/// </summary>
internal static class SeriesCsv
{
    private static readonly string[] Columns = ["series", "month", "observed"];

    public static IReadOnlyList<CountSeries> Read(TextReader reader, string source)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var csv = new CsvReader(reader);
        var header = Guard(csv, source, "header", csv.ReadHeader);
        var index = new int[Columns.Length];
        for (var c = 0; c < Columns.Length; c++)
        {
            index[c] = Array.IndexOf(header, Columns[c]);
            if (index[c] < 0)
            {
                throw Problem(source, csv.Line, "header", $"no '{Columns[c]}' column");
            }
        }

        var byName = new Dictionary<string, Dictionary<DateOnly, double?>>(StringComparer.Ordinal);
        var order = new List<string>();
        while (Guard(csv, source, "row", csv.ReadRecord) is { } record)
        {
            if (record.Length != header.Length)
            {
                throw Problem(source, csv.Line, "row", $"{record.Length} fields where the header has {header.Length}");
            }

            var name = record[index[0]];
            if (name.Length == 0)
            {
                throw Problem(source, csv.Line, "series", "empty");
            }

            var monthText = record[index[1]];
            if (!Months.TryParse(monthText, out var month))
            {
                throw Problem(source, csv.Line, "month", $"'{monthText}' is not a month (YYYY-MM)");
            }

            var observed = Count(record[index[2]]) ?? throw Problem(source, csv.Line, "observed",
                $"'{record[index[2]]}' is not a count (a number ≥ 0, or empty or NA when missing)");
            if (!byName.TryGetValue(name, out var months))
            {
                months = [];
                byName.Add(name, months);
                order.Add(name);
            }

            if (!months.TryAdd(month, observed.Value))
            {
                throw Problem(source, csv.Line, "month", $"{monthText} appears twice in series '{name}'");
            }
        }

        return order.Select(name =>
        {
            var months = byName[name];
            var first = months.Keys.Min();
            var last = months.Keys.Max();
            var length = (last.Year - first.Year) * 12 + last.Month - first.Month + 1;
            var observed = new double?[length];
            for (var i = 0; i < length; i++)
            {
                observed[i] = months.TryGetValue(first.AddMonths(i), out var value) ? value : 0;
            }

            return new CountSeries(name, first, observed);
        }).ToArray();
    }

    /// <summary>The parsed field, wrapped so that a missing month (null inside) differs from a bad field (null).</summary>
    private static Field? Count(string text)
    {
        if (text.Length == 0 || text == "NA")
        {
            return new Field(null);
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
               && double.IsFinite(value) && value >= 0
            ? new Field(value)
            : null;
    }

    private readonly record struct Field(double? Value);

    private static T Guard<T>(CsvReader csv, string source, string field, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (InvalidDataException e)
        {
            // CsvReader says "line N: reason"; the line goes in front with the file instead.
            var reason = e.Message.StartsWith("line ", StringComparison.Ordinal) && e.Message.IndexOf(": ", StringComparison.Ordinal) is > 0 and var colon
                ? e.Message[(colon + 2)..]
                : e.Message;
            throw Problem(source, csv.Line, field, reason);
        }
    }

    private static InvalidDataException Problem(string source, long line, string field, string reason) =>
        new($"{source}:{line}: {field}: {reason}");
}
