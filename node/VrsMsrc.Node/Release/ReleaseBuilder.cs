using System.Security.Cryptography;
using Dapper;
using Google.Protobuf;
using Microsoft.Data.Sqlite;
using VrsMsrc.Contracts;
using VrsMsrc.Contracts.Catalogue;
using VrsMsrc.Node.Protection;
using VrsMsrc.Node.Storage;
using ReleaseMessage = VrsMsrc.Contracts.V1.Release;

namespace VrsMsrc.Node.Release;

internal sealed record BuiltRelease(ReleaseMessage Release, byte[] Payload, string Sha256Hex, int Cells);

/// <summary>
/// Builds a release from the months whose contributions changed since the last one: for each, the
/// complete protected content of every catalogue table, under the month's next version. Building and
/// enqueueing are one transaction, so a release is either in the outbox with its months marked
/// released, or neither.
/// </summary>
internal sealed class ReleaseBuilder(NodeDatabase database, PerturbationTable protection, string state, TimeProvider time)
{
    /// <summary>
    /// Where each measure's contributions come from and what each counts (DESIGN §3.2): migrants and
    /// facilitators from their person rows where an incident has them, else from the incident's figure
    /// (the views of migration 002). Every source has the table's dimensions as columns, plus month and
    /// record_key.
    /// </summary>
    private static readonly Dictionary<string, (string Source, string Value)> Measures = new()
    {
        ["incidents"] = ("incidents", "1"),
        ["migrants"] = ("migrant_contributions", "n"),
        ["facilitators"] = ("facilitator_contributions", "n"),
        ["dead_missing"] = ("incidents", "dead_missing"),
        ["unaccompanied_minors"] = ("(SELECT * FROM migrant_contributions WHERE unaccompanied = 1 AND age_band IN ('0-13', '14-17'))", "n"),
        ["fee_reports"] = (
            "(SELECT origin, destination, fee_currency AS currency, fee_band(fee_amount) AS fee_band, n, record_key, month " +
            "FROM migrant_contributions WHERE fee_amount IS NOT NULL AND fee_currency IS NOT NULL)", "n"),
    };

    /// <summary>Tables whose contributions need a source of their own.</summary>
    private static readonly Dictionary<string, string> TableSources = new()
    {
        ["legs"] = "(SELECT l.from_country, l.to_country, c.transport_mode, c.n, c.record_key, c.month " +
                   "FROM migrant_contributions c JOIN incident_legs l ON l.incident_ref = c.incident_ref)",
    };

    /// <summary>Builds and enqueues the next release; null when no month changed.</summary>
    public BuiltRelease? Release()
    {
        using var connection = database.Open();
        using var tx = connection.BeginTransaction();
        var built = Build(connection, tx);
        if (built is null)
        {
            return null;
        }

        connection.Execute(
            """
            INSERT INTO outbox (release_id, created_at, months, cells, payload, sha256)
            VALUES (@ReleaseId, @CreatedAt, @months, @Cells, @Payload, @Sha256Hex)
            """,
            new { built.Release.ReleaseId, built.Release.CreatedAt, months = built.Release.Months.Count, built.Cells, built.Payload, built.Sha256Hex }, tx);
        foreach (var month in built.Release.Months)
        {
            connection.Execute("UPDATE months SET version = @Version, changed = 0 WHERE month = @Month", new { month.Version, month.Month }, tx);
        }

        tx.Commit();
        return built;
    }

    /// <summary>Exactly what <see cref="Release"/> would send now, without enqueueing anything.</summary>
    public BuiltRelease? Preview()
    {
        using var connection = database.Open();
        using var tx = connection.BeginTransaction(deferred: true);
        return Build(connection, tx);
    }

    private BuiltRelease? Build(SqliteConnection connection, SqliteTransaction tx)
    {
        // Bands rather than amounts enter the fees table; computing them in SQL keeps the GROUP BY there.
        connection.CreateFunction("fee_band", (double? amount) => amount is { } a ? FeeBands.Label(a) : null);
        var changed = connection.Query<(string Month, long Version)>(
            "SELECT month, version FROM months WHERE changed = 1 ORDER BY month", transaction: tx).ToList();
        if (changed.Count == 0)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var release = new ReleaseMessage
        {
            ReleaseId = Guid.CreateVersion7(now).ToString(),
            State = state,
            SchemaVersion = Protocol.SchemaVersion,
            CreatedAt = now.ToString("O"),
        };
        var cells = 0;
        foreach (var (month, version) in changed)
        {
            var monthRelease = new Contracts.V1.MonthRelease { Month = month, Version = version + 1 };
            foreach (var table in ReleaseCatalogue.All)
            {
                var tableCells = new Contracts.V1.TableCells { Table = table.Name };
                tableCells.Cells.AddRange(ProtectedCells(connection, tx, table, month));
                cells += tableCells.Cells.Count;
                monthRelease.Tables.Add(tableCells);
            }

            release.Months.Add(monthRelease);
        }

        var payload = release.ToByteArray();
        return new BuiltRelease(release, payload, Convert.ToHexStringLower(SHA256.HashData(payload)), cells);
    }

    /// <summary>
    /// Cell value = Σ n of the contributions, cell key = Σ record keys mod 256; only the perturbed value
    /// of cells at or above the threshold leaves this method.
    /// </summary>
    private IEnumerable<Contracts.V1.Cell> ProtectedCells(SqliteConnection connection, SqliteTransaction tx, CatalogueTable table, string month)
    {
        // Dimension names are catalogue constants that are also incident columns; values are parameters.
        var dims = table.Dimensions.Select(d => $"COALESCE({d}, '{DimensionValues.Unknown}')").ToList();
        var select = dims.Count == 0 ? "" : string.Join(", ", dims) + ", ";
        var groupBy = dims.Count == 0 ? "" : " GROUP BY " + string.Join(", ", Enumerable.Range(1, dims.Count));
        foreach (var measure in table.Measures)
        {
            var (source, value) = Measures[measure];
            source = TableSources.GetValueOrDefault(table.Name, source);
            var sql = $"SELECT {select}SUM({value}), SUM(record_key) FROM {source} WHERE month = @month AND {value} > 0{groupBy}";
            using var reader = connection.ExecuteReader(sql, new { month }, tx);
            while (reader.Read())
            {
                if (reader.IsDBNull(dims.Count))
                {
                    continue; // no contributions at all: SUM over no rows
                }

                var published = protection.Publish(reader.GetInt64(dims.Count), (int)(reader.GetInt64(dims.Count + 1) % 256));
                if (published is null)
                {
                    continue;
                }

                var cell = new Contracts.V1.Cell { Measure = measure, Value = published.Value };
                for (var i = 0; i < dims.Count; i++)
                {
                    cell.Dims.Add(reader.GetString(i));
                }

                yield return cell;
            }
        }
    }
}
