using System.Globalization;
using VrsMsrc.Contracts.CodeLists;
using VrsMsrc.Contracts.Text;

namespace VrsMsrc.Node.Ingest;

/// <summary>
/// Reads the fields of one input row against their rules, collecting every problem instead of
/// stopping at the first. A field that is absent or empty reads as null: "unknown".
/// </summary>
internal sealed class RowCheck(InputRecord input, string file)
{
    public List<ImportProblem> Problems { get; } = [];

    public bool Ok => Problems.Count == 0;

    public void Problem(string field, string reason) =>
        Problems.Add(new ImportProblem(file, input.Line, field, input.ValueOf(field), reason));

    /// <summary>Any field outside the kind's list could carry free text about a person.</summary>
    public void RefuseUnknownFields(IReadOnlySet<string> known)
    {
        foreach (var name in input.Present.Where(k => !known.Contains(k)))
        {
            Problem(name, "not a field of input format v1; free text is refused");
        }
    }

    /// <summary>A reference: required, at most 64 characters, no spaces or control characters.</summary>
    public string Reference(string field)
    {
        if (!input.TryGet(field, out var value))
        {
            Problem(field, "required");
            return "";
        }

        if (value.Length > 64 || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            Problem(field, "must be an identifier of at most 64 characters without spaces");
        }

        return value;
    }

    public string? Code(string field, CodeList list)
    {
        if (!input.TryGet(field, out var value))
        {
            return null;
        }

        var canonical = list.Canonical(value);
        if (canonical is null)
        {
            Problem(field, $"not a {list.Name} code");
        }

        return canonical;
    }

    public string? Country(string field)
    {
        var code = Code(field, Codes.Nationalities);
        if (code is not null && !Codes.IsCountry(code))
        {
            Problem(field, "must be a country, not an ICAO person code");
        }

        return code;
    }

    public long? Count(string field, long minimum = 0)
    {
        if (!input.TryGet(field, out var value))
        {
            return null;
        }

        if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > int.MaxValue || n < minimum)
        {
            Problem(field, $"must be a whole number ≥ {minimum}");
            return null;
        }

        return n;
    }

    public double? Amount(string field)
    {
        if (!input.TryGet(field, out var value))
        {
            return null;
        }

        if (!double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) || amount > 1e12)
        {
            Problem(field, "must be an amount ≥ 0 with '.' as decimal point");
            return null;
        }

        return amount;
    }

    public bool? Flag(string field)
    {
        if (!input.TryGet(field, out var value))
        {
            return null;
        }

        if (bool.TryParse(value, out var flag))
        {
            return flag;
        }

        Problem(field, "must be true or false");
        return null;
    }

    /// <summary>YYYY-MM-DD, or YYYY-MM for monthly returns; never in the future. Returns (day, month).</summary>
    public (string Day, string Month) DetectedOn(string field, DateOnly today)
    {
        if (!input.TryGet(field, out var value))
        {
            Problem(field, "required");
            return ("", "");
        }

        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            if (day > today)
            {
                Problem(field, "is in the future");
            }

            return (value, Months.Format(day));
        }

        if (Months.TryParse(value, out var first))
        {
            if (first > today)
            {
                Problem(field, "is in the future");
            }

            return (value, value);
        }

        Problem(field, "must be YYYY-MM-DD, or YYYY-MM for a monthly return");
        return ("", "");
    }

    /// <summary>ISO3 country codes separated by ';', in order.</summary>
    public string? Countries(string field)
    {
        if (!input.TryGet(field, out var value))
        {
            return null;
        }

        var codes = value.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(c => Codes.IsCountry(c) ? Codes.Nationalities.Canonical(c) : null).ToList();
        if (codes.Count == 0 || codes.Any(c => c is null))
        {
            Problem(field, "must be ISO 3166-1 alpha-3 country codes separated by ';'");
            return null;
        }

        return string.Join(';', codes);
    }
}
