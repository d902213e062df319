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
        using var records = new MonthRecords(connection, tx);
        foreach (var (month, version) in changed)
        {
            var sums = CellSums.Of(records.Read(month)).ByTable();
            var monthRelease = new Contracts.V1.MonthRelease { Month = month, Version = version + 1 };
            foreach (var table in ReleaseCatalogue.All)
            {
                var tableCells = new Contracts.V1.TableCells { Table = table.Name };
                tableCells.Cells.AddRange(Protect(sums[table.Name]));
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
    private IEnumerable<Contracts.V1.Cell> Protect(IEnumerable<(string Measure, string[] Dims, long Value, int CellKey)> cells)
    {
        foreach (var (measure, dims, value, key) in cells)
        {
            if (protection.Publish(value, key) is { } published)
            {
                yield return new Contracts.V1.Cell { Measure = measure, Value = published, Dims = { dims } };
            }
        }
    }
}
