using System.Runtime.InteropServices;
using VrsMsrc.Contracts.Catalogue;

namespace VrsMsrc.Node.Release;

/// <summary>
/// The cells of one month before protection: for each (table, measure, dimension values) the sum of
/// the contributions' counts and of their record keys (DESIGN §3.4). This is where the catalogue's
/// meaning lives: which contribution counts in which cell (DESIGN §3.2, §3.3).
/// </summary>
internal sealed class CellSums(DimensionIds ids)
{
    private static readonly IReadOnlyList<CatalogueTable> Tables = ReleaseCatalogue.All;
    private static readonly Kind TotalIncidents = new(ReleaseCatalogue.Totals, "incidents");
    private static readonly Kind TotalMigrants = new(ReleaseCatalogue.Totals, "migrants");
    private static readonly Kind TotalFacilitators = new(ReleaseCatalogue.Totals, "facilitators");
    private static readonly Kind TotalDeadMissing = new(ReleaseCatalogue.Totals, "dead_missing");
    private static readonly Kind CorridorIncidents = new(ReleaseCatalogue.Corridors, "incidents");
    private static readonly Kind CorridorMigrants = new(ReleaseCatalogue.Corridors, "migrants");
    private static readonly Kind MethodIncidents = new(ReleaseCatalogue.Methods, "incidents");
    private static readonly Kind ConcealmentIncidents = new(ReleaseCatalogue.Concealment, "incidents");
    private static readonly Kind DeathsDeadMissing = new(ReleaseCatalogue.Deaths, "dead_missing");
    private static readonly Kind FlowMigrants = new(ReleaseCatalogue.Flows, "migrants");
    private static readonly Kind LegMigrants = new(ReleaseCatalogue.Legs, "migrants");
    private static readonly Kind ProfileMigrants = new(ReleaseCatalogue.MigrantProfile, "migrants");
    private static readonly Kind ProfileUnaccompaniedMinors = new(ReleaseCatalogue.MigrantProfile, "unaccompanied_minors");
    private static readonly Kind FeeReports = new(ReleaseCatalogue.Fees, "fee_reports");
    private static readonly Kind SmugglerFacilitators = new(ReleaseCatalogue.SmugglerProfile, "facilitators");
    private static readonly Kind StageFacilitators = new(ReleaseCatalogue.SmugglerStages, "facilitators");

    private readonly Dictionary<CellId, Sum> _cells = [];
    private readonly Dictionary<double, int> _feeBands = [];
    private readonly int _minor0 = ids.Of("0-13");
    private readonly int _minor1 = ids.Of("14-17");

    /// <summary>A table and one of its measures, as positions in the catalogue.</summary>
    private readonly record struct Kind(int Table, int Measure)
    {
        public Kind(CatalogueTable table, string measure)
            : this(Position(Tables, table), Position(table.Measures, measure))
        {
        }

        private static int Position<T>(IReadOnlyList<T> list, T item) =>
            list.Select((x, i) => (x, i)).First(p => EqualityComparer<T>.Default.Equals(p.x, item)).i;
    }

    /// <summary>A cell: its kind and up to four dimension values (−1 where the table has fewer dimensions).</summary>
    private readonly record struct CellId(Kind Kind, int D0 = -1, int D1 = -1, int D2 = -1, int D3 = -1);

    private struct Sum
    {
        public long Value;
        public long Keys;
    }

    /// <summary>Cells per table: measure, dimension values, value and cell key, in a stable order.</summary>
    public ILookup<string, (string Measure, string[] Dims, long Value, int CellKey)> ByTable() =>
        _cells.Select(c =>
            {
                var table = Tables[c.Key.Kind.Table];
                var dims = new[] { c.Key.D0, c.Key.D1, c.Key.D2, c.Key.D3 }.Take(table.Dimensions.Count).Select(d => ids[d]).ToArray();
                return (Table: table.Name, Measure: table.Measures[c.Key.Kind.Measure], Dims: dims, c.Value);
            })
            .OrderBy(c => c.Measure, StringComparer.Ordinal).ThenBy(c => string.Join('\u001f', c.Dims), StringComparer.Ordinal)
            .ToLookup(c => c.Table, c => (c.Measure, c.Dims, c.Value.Value, (int)(c.Value.Keys % 256)));

    /// <summary>An incident's own cells; call after its person rows, whose presence decides what it counts.</summary>
    public void AddIncident(IncidentFacts i)
    {
        Add(new(TotalIncidents), 1, i.RecordKey);
        Add(new(CorridorIncidents, i.Corridor, i.BorderType), 1, i.RecordKey);
        Add(new(MethodIncidents, i.DocFraud, i.DocType, i.TransportMode), 1, i.RecordKey);
        Add(new(ConcealmentIncidents, i.Concealment, i.TransportMode), 1, i.RecordKey);
        if (i.DeadMissing is > 0 and var dead)
        {
            Add(new(TotalDeadMissing), dead, i.RecordKey);
            Add(new(DeathsDeadMissing, i.Corridor, i.TransportMode), dead, i.RecordKey);
        }

        // An incident's own figures count only where it has no person rows of that kind.
        if (!i.HasMigrantRows && i.Migrants is > 0 and var migrants)
        {
            AddMigrants(i, i.RecordKey, migrants, i.Nationality, DimensionIds.Unknown, DimensionIds.Unknown, false, null, null);
        }

        if (!i.HasFacilitatorRows && i.Facilitators is > 0 and var facilitators)
        {
            AddFacilitators(i.RecordKey, facilitators, DimensionIds.Unknown, DimensionIds.Unknown, DimensionIds.Unknown, DimensionIds.Unknown);
        }
    }

    public void AddMigrants(IncidentFacts i, int key, long n, int nationality, int sex, int ageBand, bool unaccompanied, double? fee, int? currency)
    {
        Add(new(TotalMigrants), n, key);
        Add(new(CorridorMigrants, i.Corridor, i.BorderType), n, key);
        Add(new(FlowMigrants, nationality, i.BorderType, i.Context, i.Corridor), n, key);
        foreach (var (from, to) in i.Legs)
        {
            Add(new(LegMigrants, from, to, i.TransportMode), n, key);
        }

        Add(new(ProfileMigrants, nationality, sex, ageBand), n, key);
        if (unaccompanied && (ageBand == _minor0 || ageBand == _minor1))
        {
            Add(new(ProfileUnaccompaniedMinors, nationality, sex, ageBand), n, key);
        }

        if (fee is { } amount && currency is { } paid)
        {
            Add(new(FeeReports, i.Origin, i.Destination, paid, FeeBand(amount)), n, key);
        }
    }

    public void AddFacilitators(int key, long n, int nationality, int role, int sex, int stage)
    {
        Add(new(TotalFacilitators), n, key);
        Add(new(SmugglerFacilitators, nationality, role, sex), n, key);
        Add(new(StageFacilitators, stage, sex), n, key);
    }

    private int FeeBand(double amount)
    {
        if (!_feeBands.TryGetValue(amount, out var band))
        {
            band = ids.Of(FeeBands.Label(amount));
            _feeBands.Add(amount, band);
        }

        return band;
    }

    private void Add(CellId cell, long n, int key)
    {
        ref var sum = ref CollectionsMarshal.GetValueRefOrAddDefault(_cells, cell, out _);
        sum.Value += n;
        sum.Keys += key;
    }
}
