using VrsMsrc.Contracts.Catalogue;

namespace VrsMsrc.Node.Release;

/// <summary>
/// The cells of one month before protection: for each (table, measure, dimension values) the sum of
/// the contributions' counts and of their record keys (DESIGN §3.4). This is where the catalogue's
/// meaning lives: which contribution counts in which cell (DESIGN §3.2, §3.3).
/// </summary>
internal sealed class CellSums
{
    private static readonly string[] MinorAgeBands = ["0-13", "14-17"];

    private readonly Dictionary<(string Table, string Measure, string Dims), (long Value, long Keys, string[] Dims)> _cells = [];

    public static CellSums Of(MonthRecordsData month)
    {
        var sums = new CellSums();
        foreach (var incident in month.Incidents.Values)
        {
            sums.AddIncident(incident);
        }

        foreach (var (incident, migrant) in month.Migrants)
        {
            sums.AddMigrants(incident, migrant.RecordKey, migrant.Count, migrant.Nationality ?? incident.Nationality, migrant.Sex, migrant.AgeBand,
                migrant.Unaccompanied, migrant.FeeAmount, migrant.FeeCurrency);
        }

        foreach (var (_, facilitator) in month.Facilitators)
        {
            sums.AddFacilitators(facilitator.RecordKey, facilitator.Count, facilitator.Nationality, facilitator.Role, facilitator.Sex, facilitator.CjStage);
        }

        return sums;
    }

    /// <summary>Cells per table: measure, dimension values, value and cell key, in a stable order.</summary>
    public ILookup<string, (string Measure, string[] Dims, long Value, int CellKey)> ByTable() =>
        _cells.OrderBy(c => c.Key.Measure, StringComparer.Ordinal).ThenBy(c => c.Key.Dims, StringComparer.Ordinal)
            .ToLookup(c => c.Key.Table, c => (c.Key.Measure, c.Value.Dims, c.Value.Value, (int)(c.Value.Keys % 256)));

    private void AddIncident(IncidentFacts i)
    {
        Add("totals", "incidents", 1, i.RecordKey);
        Add("corridors", "incidents", 1, i.RecordKey, i.Corridor, i.BorderType);
        Add("methods", "incidents", 1, i.RecordKey, i.DocFraud, i.DocType, i.TransportMode);
        Add("concealment", "incidents", 1, i.RecordKey, i.Concealment, i.TransportMode);
        if (i.DeadMissing is > 0 and var dead)
        {
            Add("totals", "dead_missing", dead, i.RecordKey);
            Add("deaths", "dead_missing", dead, i.RecordKey, i.Corridor, i.TransportMode);
        }

        // An incident's own figures count only where it has no person rows of that kind.
        if (!i.HasMigrantRows && i.Migrants is > 0 and var migrants)
        {
            AddMigrants(i, i.RecordKey, migrants, i.Nationality, null, null, null, null, null);
        }

        if (!i.HasFacilitatorRows && i.Facilitators is > 0 and var facilitators)
        {
            AddFacilitators(i.RecordKey, facilitators, null, null, null, null);
        }
    }

    private void AddMigrants(IncidentFacts i, int key, long n, string? nationality, string? sex, string? ageBand, bool? unaccompanied, double? fee, string? currency)
    {
        Add("totals", "migrants", n, key);
        Add("corridors", "migrants", n, key, i.Corridor, i.BorderType);
        Add("flows", "migrants", n, key, nationality, i.BorderType, i.Context, i.Corridor);
        foreach (var (from, to) in i.Legs)
        {
            Add("legs", "migrants", n, key, from, to, i.TransportMode);
        }

        Add("migrant_profile", "migrants", n, key, nationality, sex, ageBand);
        if (unaccompanied == true && ageBand is not null && MinorAgeBands.Contains(ageBand))
        {
            Add("migrant_profile", "unaccompanied_minors", n, key, nationality, sex, ageBand);
        }

        if (fee is { } amount && currency is not null)
        {
            Add("fees", "fee_reports", n, key, i.Origin, i.Destination, currency, FeeBands.Label(amount));
        }
    }

    private void AddFacilitators(int key, long n, string? nationality, string? role, string? sex, string? stage)
    {
        Add("totals", "facilitators", n, key);
        Add("smuggler_profile", "facilitators", n, key, nationality, role, sex);
        Add("smuggler_stages", "facilitators", n, key, stage, sex);
    }

    private void Add(string table, string measure, long n, int key, params string?[] dims)
    {
        var values = dims.Select(d => d ?? DimensionValues.Unknown).ToArray();
        var id = (table, measure, string.Join('\u001f', values));
        _cells[id] = _cells.TryGetValue(id, out var sum) ? (sum.Value + n, sum.Keys + key, sum.Dims) : (n, key, values);
    }
}
