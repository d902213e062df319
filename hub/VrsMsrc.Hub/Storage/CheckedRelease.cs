namespace VrsMsrc.Hub.Storage;

/// <summary>
/// A release as the stores take it: read from the pushed bytes and checked against the catalogue and code
/// lists (<see cref="Exchange.PushedRelease"/>), each table's cells already in their stored form, a cell
/// block (<see cref="CellBlockCodec"/>). Nothing else reaches a store, so a store never holds an unchecked cell.
/// </summary>
internal sealed record CheckedRelease(string ReleaseId, string State, IReadOnlyList<CheckedMonth> Months);

internal sealed record CheckedMonth(string Month, long Version, IReadOnlyList<CheckedTable> Tables);

/// <summary>One catalogue table of one month: its cells as a block, and how many there are.</summary>
internal sealed record CheckedTable(string Table, int Cells, ReadOnlyMemory<byte> Block);
