using System.Globalization;
using VrsMsrc.Contracts.CodeLists;
using VrsMsrc.Contracts.Text;

namespace VrsMsrc.Node.Ingest;

/// <summary>A validated incident row of input format v1 (DESIGN §3.1), codes in canonical spelling.</summary>
internal sealed record IncidentRecord
{
    public required string Ref { get; init; }
    public required string DetectedOn { get; init; }
    public required string Month { get; init; }
    public string? Agency { get; init; }
    public string? Context { get; init; }
    public string? BorderType { get; init; }
    public string? TransportMode { get; init; }
    public string? Corridor { get; init; }
    public string? Origin { get; init; }
    public string? Destination { get; init; }
    public string? Transits { get; init; }
    public string? Nationality { get; init; }
    public long? Migrants { get; init; }
    public long? Facilitators { get; init; }
    public long? DeadMissing { get; init; }
    public string? DocFraud { get; init; }
    public string? DocType { get; init; }
    public string? Concealment { get; init; }

    public static IReadOnlySet<string> Fields { get; } = new HashSet<string>
    {
        "ref", "detected_on", "agency", "context", "border_type", "transport_mode", "corridor", "origin", "destination",
        "transits", "nationality", "migrants", "facilitators", "dead_missing", "doc_fraud", "doc_type", "concealment",
    };

    /// <summary>Checks one row; every problem of the row is reported, not just the first.</summary>
    public static (IncidentRecord? Record, List<ImportProblem> Problems) Validate(
        InputRecord input, string file, CodeList corridors, DateOnly today)
    {
        var problems = new List<ImportProblem>();
        var f = input.Fields;

        void Problem(string field, string reason) =>
            problems.Add(new ImportProblem(file, input.Line, field, f.GetValueOrDefault(field, ""), reason));

        foreach (var name in f.Keys.Where(k => !Fields.Contains(k)))
        {
            Problem(name, "not a field of input format v1; free text is refused");
        }

        string? Code(string field, CodeList list)
        {
            if (!f.TryGetValue(field, out var value))
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

        string? Country(string field)
        {
            var code = Code(field, Codes.Nationalities);
            if (code is not null && !Codes.IsCountry(code))
            {
                Problem(field, "must be a country, not an ICAO person code");
            }

            return code;
        }

        long? Count(string field)
        {
            if (!f.TryGetValue(field, out var value))
            {
                return null;
            }

            if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > int.MaxValue)
            {
                Problem(field, "must be a whole number ≥ 0");
                return null;
            }

            return n;
        }

        var reference = f.GetValueOrDefault("ref");
        if (reference is null)
        {
            Problem("ref", "required");
        }
        else if (reference.Length > 64 || reference.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            Problem("ref", "must be an identifier of at most 64 characters without spaces");
        }

        var (detectedOn, month) = ParseDetectedOn(f.GetValueOrDefault("detected_on"), today, Problem);
        var transits = ParseTransits(f.GetValueOrDefault("transits"), Problem);
        var record = new IncidentRecord
        {
            Ref = reference ?? "",
            DetectedOn = detectedOn ?? "",
            Month = month ?? "",
            Agency = Code("agency", Codes.Agencies),
            Context = Code("context", Codes.Contexts),
            BorderType = Code("border_type", Codes.BorderTypes),
            TransportMode = Code("transport_mode", Codes.TransportModes),
            Corridor = Code("corridor", corridors),
            Origin = Country("origin"),
            Destination = Country("destination"),
            Transits = transits,
            Nationality = Code("nationality", Codes.Nationalities),
            Migrants = Count("migrants"),
            Facilitators = Count("facilitators"),
            DeadMissing = Count("dead_missing"),
            DocFraud = Code("doc_fraud", Codes.DocumentFraud),
            DocType = Code("doc_type", Codes.DocumentTypes),
            Concealment = Code("concealment", Codes.Concealment),
        };
        return problems.Count == 0 ? (record, problems) : (null, problems);
    }

    private static (string? Day, string? Month) ParseDetectedOn(string? value, DateOnly today, Action<string, string> problem)
    {
        if (value is null)
        {
            problem("detected_on", "required");
            return (null, null);
        }

        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            if (day > today)
            {
                problem("detected_on", "is in the future");
            }

            return (value, Months.Format(day));
        }

        if (Months.TryParse(value, out var first))
        {
            if (first > today)
            {
                problem("detected_on", "is in the future");
            }

            return (value, value);
        }

        problem("detected_on", "must be YYYY-MM-DD, or YYYY-MM for a monthly return");
        return (null, null);
    }

    private static string? ParseTransits(string? value, Action<string, string> problem)
    {
        if (value is null)
        {
            return null;
        }

        var codes = value.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var canonical = codes.Select(c => Codes.IsCountry(c) ? Codes.Nationalities.Canonical(c) : null).ToList();
        if (canonical.Any(c => c is null))
        {
            problem("transits", "must be ISO 3166-1 alpha-3 country codes separated by ';'");
            return null;
        }

        return string.Join(';', canonical);
    }
}
