using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using Dapper;
using Google.Protobuf;
using Microsoft.Data.Sqlite;
using VrsMsrc.Contracts;
using VrsMsrc.Contracts.Catalogue;
using VrsMsrc.Node.Protection;
using VrsMsrc.Node.Outbox;
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
        var built = Build(connection, tx, parallel: true);
        if (built is null)
        {
            return null;
        }

        OutboxStore.Enqueue(connection, tx, built);
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
        // Deferred, so that a preview never waits for an import: its months are then read on this one
        // connection, from this transaction's snapshot.
        using var tx = connection.BeginTransaction(deferred: true);
        return Build(connection, tx, parallel: false);
    }

    private BuiltRelease? Build(SqliteConnection connection, SqliteTransaction tx, bool parallel)
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
        // Months are independent: each worker sums its share of them on its own read connection. A
        // release's transaction holds the write lock (BEGIN IMMEDIATE), so every reader sees the same data
        // as this transaction does.
        var months = new Contracts.V1.MonthRelease[changed.Count];
        var workers = !parallel || changed.Count < 4 ? 1 : Environment.ProcessorCount;
        if (workers == 1)
        {
            using var records = new MonthRecords(connection, new DimensionIds());
            for (var m = 0; m < changed.Count; m++)
            {
                months[m] = Protect(records, changed[m].Month, changed[m].Version + 1);
            }
        }
        else
        {
            var next = -1;
            var threads = Enumerable.Range(0, workers).Select(_ => Task.Run(() =>
            {
                using var reader = database.Open(readOnly: true);
                // Reading maps the file instead of copying every page through the connection's cache: a
                // full release reads the whole history once per worker.
                reader.Execute("PRAGMA mmap_size = 1073741824");
                using var snapshot = reader.BeginTransaction(deferred: true);
                using var records = new MonthRecords(reader, new DimensionIds());
                for (var m = Interlocked.Increment(ref next); m < changed.Count; m = Interlocked.Increment(ref next))
                {
                    months[m] = Protect(records, changed[m].Month, changed[m].Version + 1);
                }
            })).ToArray();
            try
            {
                Task.WaitAll(threads);
            }
            catch (AggregateException e)
            {
                ExceptionDispatchInfo.Throw(e.Flatten().InnerExceptions[0]);
            }
        }

        release.Months.AddRange(months);
        var cells = months.Sum(m => m.Tables.Sum(t => t.Cells.Count));
        var payload = release.ToByteArray();
        return new BuiltRelease(release, payload, Convert.ToHexStringLower(SHA256.HashData(payload)), cells);
    }

    /// <summary>The complete protected content of every catalogue table for one month.</summary>
    private Contracts.V1.MonthRelease Protect(MonthRecords records, string month, long version)
    {
        var sums = records.Sum(month).ByTable();
        var monthRelease = new Contracts.V1.MonthRelease { Month = month, Version = version };
        foreach (var table in ReleaseCatalogue.All)
        {
            var tableCells = new Contracts.V1.TableCells { Table = table.Name };
            tableCells.Cells.AddRange(Protect(sums[table.Name]));
            monthRelease.Tables.Add(tableCells);
        }

        return monthRelease;
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
