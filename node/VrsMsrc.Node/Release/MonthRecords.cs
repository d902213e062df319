using Microsoft.Data.Sqlite;
using VrsMsrc.Contracts.Storage;

namespace VrsMsrc.Node.Release;

/// <summary>
/// The attributes of an incident that catalogue cells are cut by (as <see cref="DimensionIds"/>), plus its
/// record key.
/// </summary>
internal sealed class IncidentFacts
{
    public int RecordKey { get; init; }
    public int Corridor { get; init; }
    public int BorderType { get; init; }
    public int Context { get; init; }
    public int TransportMode { get; init; }
    public int Origin { get; init; }
    public int Destination { get; init; }
    public int Nationality { get; init; }
    public long? Migrants { get; init; }
    public long? Facilitators { get; init; }
    public long? DeadMissing { get; init; }
    public int DocFraud { get; init; }
    public int DocType { get; init; }
    public int Concealment { get; init; }
    public List<(int From, int To)> Legs { get; } = [];
    public bool HasMigrantRows { get; set; }
    public bool HasFacilitatorRows { get; set; }
}

/// <summary>
/// Reads everything one month contributes, with one indexed query per kind, and hands each record to a
/// <see cref="CellSums"/>: what a release costs is then proportional to the months that changed, never to
/// the whole history. Values arrive as <see cref="DimensionIds"/>, so a record costs no strings.
/// </summary>
internal sealed class MonthRecords(SqliteConnection connection, DimensionIds ids) : IDisposable
{
    private readonly SqliteStatement _incidents = new(connection,
        """
        SELECT rowid, record_key, corridor, border_type, context, transport_mode, origin, destination, nationality,
               migrants, facilitators, dead_missing, doc_fraud, doc_type, concealment
        FROM incidents WHERE month = ?1
        """);

    private readonly SqliteStatement _legs = new(connection,
        "SELECT i.rowid, l.from_country, l.to_country FROM incidents i JOIN incident_legs l ON l.incident_ref = i.ref WHERE i.month = ?1");

    private readonly SqliteStatement _migrants = new(connection,
        """
        SELECT i.rowid, m.record_key, m.count, m.nationality, m.sex, m.age_band, m.unaccompanied, m.fee_amount, m.fee_currency
        FROM incidents i JOIN migrants m ON m.incident_ref = i.ref WHERE i.month = ?1
        """);

    private readonly SqliteStatement _facilitators = new(connection,
        """
        SELECT i.rowid, f.record_key, f.count, f.nationality, f.sex, f.role, f.cj_stage
        FROM incidents i JOIN facilitators f ON f.incident_ref = i.ref WHERE i.month = ?1
        """);

    /// <summary>The month's cells before protection.</summary>
    public CellSums Sum(string month)
    {
        var incidents = new Dictionary<long, IncidentFacts>();
        foreach (var r in Rows(_incidents, month))
        {
            incidents[r.GetInt64(0)] = new IncidentFacts
            {
                RecordKey = (int)r.GetInt64(1), Corridor = Id(r, 2), BorderType = Id(r, 3), Context = Id(r, 4), TransportMode = Id(r, 5),
                Origin = Id(r, 6), Destination = Id(r, 7), Nationality = Id(r, 8), Migrants = Number(r, 9), Facilitators = Number(r, 10),
                DeadMissing = Number(r, 11), DocFraud = Id(r, 12), DocType = Id(r, 13), Concealment = Id(r, 14),
            };
        }

        foreach (var r in Rows(_legs, month))
        {
            incidents[r.GetInt64(0)].Legs.Add((Id(r, 1), Id(r, 2)));
        }

        var sums = new CellSums(ids);
        foreach (var r in Rows(_migrants, month))
        {
            var incident = incidents[r.GetInt64(0)];
            incident.HasMigrantRows = true;
            var nationality = r.IsNull(3) ? incident.Nationality : Id(r, 3);
            sums.AddMigrants(incident, (int)r.GetInt64(1), r.GetInt64(2), nationality, Id(r, 4), Id(r, 5),
                !r.IsNull(6) && r.GetInt64(6) != 0, r.IsNull(7) ? null : r.GetDouble(7), r.IsNull(8) ? null : Id(r, 8));
        }

        foreach (var r in Rows(_facilitators, month))
        {
            incidents[r.GetInt64(0)].HasFacilitatorRows = true;
            sums.AddFacilitators((int)r.GetInt64(1), r.GetInt64(2), Id(r, 3), Id(r, 5), Id(r, 4), Id(r, 6));
        }

        // After the person rows, so that an incident's own figures count only where it has none.
        foreach (var incident in incidents.Values)
        {
            sums.AddIncident(incident);
        }

        return sums;
    }

    public void Dispose()
    {
        _incidents.Dispose();
        _legs.Dispose();
        _migrants.Dispose();
        _facilitators.Dispose();
    }

    private static IEnumerable<SqliteStatement> Rows(SqliteStatement statement, string month)
    {
        statement.Bind(1, month);
        while (statement.Read())
        {
            yield return statement;
        }
    }

    /// <summary>A value's id; NULL (absent) is unknown. Only an empty value needs the second look at the column.</summary>
    private int Id(SqliteStatement r, int column)
    {
        var utf8 = r.Utf8(column);
        return utf8.IsEmpty && r.IsNull(column) ? DimensionIds.Unknown : ids.Of(utf8);
    }

    private static long? Number(SqliteStatement r, int column) => r.IsNull(column) ? null : r.GetInt64(column);
}
