using System.Data.Common;
using VrsMsrc.Contracts.V1;

namespace VrsMsrc.Hub.Storage;

internal enum ApplyOutcome
{
    Accepted,
    Duplicate,

    /// <summary>The release id is known with another hash: a node bug or tampering, never applied.</summary>
    Conflict,
}

internal sealed record ApplyResult(ApplyOutcome Outcome, int MonthsApplied, int MonthsIgnored);

/// <summary>
/// Stores, in the transaction that applies a release or finds it a duplicate, what must be stored with that
/// outcome or not at all (the push's audit entry); called last before the commit, never for a conflict.
/// </summary>
internal delegate void InApplyTransaction(DbTransaction transaction, ApplyResult result);

/// <summary>One published cell as stored; Dims has as many entries as the table has dimensions.</summary>
internal sealed record StoredCell(string State, string Month, string[] Dims, long Value);

/// <summary>A read of one table and measure; filters are positions in the table's dimensions, never SQL.</summary>
internal sealed record CellQuery(
    string Table,
    string Measure,
    int Width,
    string? FromMonth,
    string? ToMonth,
    IReadOnlyList<string> States,
    IReadOnlyList<(int Dimension, string Value)> Filters);

/// <summary>The published cells and the months each state has released, per table.</summary>
internal interface ICellStore
{
    /// <summary>
    /// Applies a release atomically (all its months or none): per state and month the stored cells of
    /// every table are replaced, whole, only by a newer version. A release id seen before is a duplicate
    /// (same hash) or a conflict (other hash), and changes nothing but what <paramref name="alsoStore"/> stores.
    /// </summary>
    Task<ApplyResult> ApplyAsync(CheckedRelease release, string sha256Hex, DateTimeOffset receivedAt, InApplyTransaction? alsoStore, CancellationToken ct);

    IReadOnlyList<StoredCell> Cells(CellQuery query);

    /// <summary>(state, month) pairs released (a month holds every table), within the query's range and states.</summary>
    IReadOnlyList<(string State, string Month)> Coverage(CellQuery query);

    IReadOnlyList<Corridor> Corridors();
}
