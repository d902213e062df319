using VrsMsrc.Contracts.V1;

namespace VrsMsrc.Hub.Storage;

/// <summary>
/// The cell keys (measure and dimension values) of one table seen so far. Each value gets a small number
/// per position, so a key is five integers: checking a 100,000-cell release for repeated cells costs a
/// few dictionary lookups per cell instead of building a string per cell.
/// </summary>
internal sealed class CellKeySet(int capacity)
{
    private readonly Dictionary<string, int>[] _ids = [.. Enumerable.Range(0, 5).Select(_ => new Dictionary<string, int>(StringComparer.Ordinal))];
    private readonly HashSet<(int, int, int, int, int)> _keys = new(capacity);

    /// <summary>False when a cell with the same measure and dimension values was added before.</summary>
    public bool Add(Cell cell)
    {
        var dims = cell.Dims;
        return _keys.Add((Id(0, cell.Measure), Id(1, dims, 0), Id(2, dims, 1), Id(3, dims, 2), Id(4, dims, 3)));
    }

    private int Id(int position, Google.Protobuf.Collections.RepeatedField<string> dims, int i) => i < dims.Count ? Id(position, dims[i]) : -1;

    private int Id(int position, string value)
    {
        var ids = _ids[position];
        if (!ids.TryGetValue(value, out var id))
        {
            ids[value] = id = ids.Count;
        }

        return id;
    }
}
