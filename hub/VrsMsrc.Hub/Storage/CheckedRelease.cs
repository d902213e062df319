namespace VrsMsrc.Hub.Storage;

/// <summary>
/// A release as the stores take it: read from the pushed bytes and checked against the catalogue and code
/// lists (<see cref="Exchange.PushedRelease"/>), each month's cells already in their stored form
/// (<see cref="CellBlockCodec"/>). Nothing else reaches a store, so a store never holds an unchecked cell.
/// </summary>
internal sealed record CheckedRelease(string ReleaseId, string State, IReadOnlyList<CheckedMonth> Months);

/// <summary>One month: its stored form whole (every table's block), and its tables one by one.</summary>
internal sealed record CheckedMonth(string Month, long Version, IReadOnlyList<CheckedTable> Tables, ReadOnlyMemory<byte> Stored);

/// <summary>One catalogue table of one month: its cells as a block (part of its month's stored form), and how many there are.</summary>
internal sealed record CheckedTable(string Table, int Cells, ReadOnlyMemory<byte> Block);
