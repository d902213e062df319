using Microsoft.Data.Sqlite;
using VrsMsrc.Contracts.Storage;

namespace VrsMsrc.Node.Release;

/// <summary>The attributes of an incident that catalogue cells are cut by, plus its record key.</summary>
internal sealed record IncidentFacts(
    int RecordKey, string? Corridor, string? BorderType, string? Context, string? TransportMode, string? Origin, string? Destination,
    string? Nationality, long? Migrants, long? Facilitators, long? DeadMissing, string? DocFraud, string? DocType, string? Concealment)
{
    public List<(string From, string To)> Legs { get; } = [];
    public bool HasMigrantRows { get; set; }
    public bool HasFacilitatorRows { get; set; }
}

internal sealed record MigrantFacts(int RecordKey, long Count, string? Nationality, string? Sex, string? AgeBand, bool? Unaccompanied, double? FeeAmount, string? FeeCurrency);

internal sealed record FacilitatorFacts(int RecordKey, long Count, string? Nationality, string? Sex, string? Role, string? CjStage);

/// <summary>One month's incidents (by ref) and their migrant and facilitator rows.</summary>
internal sealed record MonthRecordsData(
    Dictionary<string, IncidentFacts> Incidents,
    List<(IncidentFacts Incident, MigrantFacts Migrant)> Migrants,
    List<(IncidentFacts Incident, FacilitatorFacts Facilitator)> Facilitators);

/// <summary>
/// Reads everything one month contributes, with one indexed query per kind: what a release costs is
/// then proportional to the months that changed, never to the whole history.
/// </summary>
internal sealed class MonthRecords(SqliteConnection connection, SqliteTransaction tx) : IDisposable
{
    private readonly SqliteCommand _incidents = SqliteDatabase.Prepare(connection, tx,
        """
        SELECT ref, record_key, corridor, border_type, context, transport_mode, origin, destination, nationality,
               migrants, facilitators, dead_missing, doc_fraud, doc_type, concealment
        FROM incidents WHERE month = $month
        """, ["$month"]);

    private readonly SqliteCommand _legs = SqliteDatabase.Prepare(connection, tx,
        "SELECT l.incident_ref, l.from_country, l.to_country FROM incidents i JOIN incident_legs l ON l.incident_ref = i.ref WHERE i.month = $month ORDER BY l.incident_ref, l.seq",
        ["$month"]);

    private readonly SqliteCommand _migrants = SqliteDatabase.Prepare(connection, tx,
        """
        SELECT m.incident_ref, m.record_key, m.count, m.nationality, m.sex, m.age_band, m.unaccompanied, m.fee_amount, m.fee_currency
        FROM incidents i JOIN migrants m ON m.incident_ref = i.ref WHERE i.month = $month
        """, ["$month"]);

    private readonly SqliteCommand _facilitators = SqliteDatabase.Prepare(connection, tx,
        """
        SELECT f.incident_ref, f.record_key, f.count, f.nationality, f.sex, f.role, f.cj_stage
        FROM incidents i JOIN facilitators f ON f.incident_ref = i.ref WHERE i.month = $month
        """, ["$month"]);

    public MonthRecordsData Read(string month)
    {
        var incidents = new Dictionary<string, IncidentFacts>(StringComparer.Ordinal);
        foreach (var r in Rows(_incidents, month))
        {
            incidents[r.GetString(0)] = new IncidentFacts(r.GetInt32(1), Text(r, 2), Text(r, 3), Text(r, 4), Text(r, 5), Text(r, 6), Text(r, 7),
                Text(r, 8), Number(r, 9), Number(r, 10), Number(r, 11), Text(r, 12), Text(r, 13), Text(r, 14));
        }

        foreach (var r in Rows(_legs, month))
        {
            incidents[r.GetString(0)].Legs.Add((r.GetString(1), r.GetString(2)));
        }

        var migrants = new List<(IncidentFacts, MigrantFacts)>();
        foreach (var r in Rows(_migrants, month))
        {
            var incident = incidents[r.GetString(0)];
            incident.HasMigrantRows = true;
            migrants.Add((incident, new MigrantFacts(r.GetInt32(1), r.GetInt64(2), Text(r, 3), Text(r, 4), Text(r, 5),
                r.IsDBNull(6) ? null : r.GetInt64(6) != 0, r.IsDBNull(7) ? null : r.GetDouble(7), Text(r, 8))));
        }

        var facilitators = new List<(IncidentFacts, FacilitatorFacts)>();
        foreach (var r in Rows(_facilitators, month))
        {
            var incident = incidents[r.GetString(0)];
            incident.HasFacilitatorRows = true;
            facilitators.Add((incident, new FacilitatorFacts(r.GetInt32(1), r.GetInt64(2), Text(r, 3), Text(r, 4), Text(r, 5), Text(r, 6))));
        }

        return new MonthRecordsData(incidents, migrants, facilitators);
    }

    public void Dispose()
    {
        _incidents.Dispose();
        _legs.Dispose();
        _migrants.Dispose();
        _facilitators.Dispose();
    }

    private static IEnumerable<SqliteDataReader> Rows(SqliteCommand command, string month)
    {
        command.Parameters[0].Value = month;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return reader;
        }
    }

    private static string? Text(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static long? Number(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);
}
