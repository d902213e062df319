using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using VrsMsrc.Contracts.Catalogue;
using VrsMsrc.Contracts.V1;

namespace VrsMsrc.Hub.Storage;

/// <summary>
/// The stored form of one (table, month, state) block of cells: a JSON array of
/// [value, measure, dim0, dim1, dim2, dim3], '' past the table's width. JSON rather than a private binary
/// form so that SQLite's own json_each can show the block as rows (the 'cells' view).
/// </summary>
internal static class CellBlockCodec
{
    private static readonly JsonWriterOptions Options = new()
    {
        // Codes are validated before they get here; relaxed escaping keeps '+' in a band as '+', not \u002B.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    /// <summary>
    /// The block of one table's cells. A cell key (measure and dimensions) given twice is refused: the
    /// validator tells a node so with a reason, and this keeps a block from ever holding two values for one
    /// cell whoever calls the store.
    /// </summary>
    public static string Encode(TableCells table)
    {
        var keys = new HashSet<(string, string, string, string, string)>(table.Cells.Count);
        var buffer = new ArrayBufferWriter<byte>(64 + (table.Cells.Count * 48));
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartArray();
            foreach (var cell in table.Cells)
            {
                var dims = cell.Dims;
                if (!keys.Add((cell.Measure, Dim(dims, 0), Dim(dims, 1), Dim(dims, 2), Dim(dims, 3))))
                {
                    throw new InvalidDataException($"{table.Table}: the cell {cell.Measure} ({string.Join(", ", dims)}) appears twice");
                }

                writer.WriteStartArray();
                writer.WriteNumberValue(cell.Value);
                writer.WriteStringValue(cell.Measure);
                for (var i = 0; i < ReleaseCatalogue.MaxDimensions; i++)
                {
                    writer.WriteStringValue(Dim(dims, i));
                }

                writer.WriteEndArray();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string Dim(Google.Protobuf.Collections.RepeatedField<string> dims, int i) => i < dims.Count ? dims[i] : "";

    /// <summary>Decodes a block into its cells per measure; strings come from <paramref name="pool"/>, so a cached store holds each code once.</summary>
    public static CellBlock Decode(ReadOnlySpan<byte> json, string state, string month, int width, long version, StringPool pool)
    {
        var byMeasure = new Dictionary<string, List<StoredCell>>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(json);
        Expect(ref reader, JsonTokenType.StartArray);
        while (Next(ref reader) == JsonTokenType.StartArray)
        {
            Expect(ref reader, JsonTokenType.Number);
            var value = reader.GetInt64();
            Expect(ref reader, JsonTokenType.String);
            var measure = pool.Get(ref reader);
            var dims = new string[width];
            for (var i = 0; i < ReleaseCatalogue.MaxDimensions; i++)
            {
                Expect(ref reader, JsonTokenType.String);
                if (i < width)
                {
                    dims[i] = pool.Get(ref reader);
                }
            }

            Expect(ref reader, JsonTokenType.EndArray);
            if (!byMeasure.TryGetValue(measure, out var cells))
            {
                byMeasure[measure] = cells = [];
            }

            cells.Add(new StoredCell(state, month, dims, value));
        }

        return new CellBlock(version, byMeasure.ToDictionary(m => m.Key, m => m.Value.ToArray(), StringComparer.Ordinal));
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new InvalidDataException("cell block ends early");

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (Next(ref reader) != type)
        {
            throw new InvalidDataException($"cell block: expected {type}, found {reader.TokenType}");
        }
    }
}

/// <summary>One decoded block: the cells of one (table, month, state) at one version, per measure.</summary>
internal sealed record CellBlock(long Version, IReadOnlyDictionary<string, StoredCell[]> ByMeasure)
{
    public int Count { get; } = ByMeasure.Values.Sum(c => c.Length);
}

/// <summary>One instance per distinct string (codes, measures, states, months): the set is small and closed.</summary>
internal sealed class StringPool
{
    private readonly ConcurrentDictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public StringPool() => _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();

    public string Get(ref Utf8JsonReader reader)
    {
        Span<char> chars = stackalloc char[256];
        var length = reader.CopyString(chars);
        var span = chars[..length];
        if (_lookup.TryGetValue(span, out var found))
        {
            return found;
        }

        return Intern(span.ToString());
    }

    public string Intern(string text) => _strings.GetOrAdd(text, text);
}

/// <summary>
/// Decoded blocks kept in memory between queries, keyed by (table, month, state) and checked against the
/// version the store holds now: a release only ever replaces a block by a newer version, so a block read
/// at the version currently stored is still what the store holds, and a replaced one is simply read again.
/// </summary>
internal sealed class CellBlockCache(long maxCells)
{
    private readonly ConcurrentDictionary<(string Table, string Month, string State), CellBlock> _blocks = new();
    private long _cells;

    public StringPool Strings { get; } = new();

    public CellBlock? Get(string table, string month, string state, long version) =>
        _blocks.TryGetValue((table, month, state), out var block) && block.Version == version ? block : null;

    public void Put(string table, string month, string state, CellBlock block)
    {
        // A bound on memory, not an eviction policy: a store past it is read from disk again, block by block.
        var replaced = _blocks.TryGetValue((table, month, state), out var old) ? old.Count : 0;
        if (Interlocked.Add(ref _cells, block.Count - replaced) > maxCells)
        {
            _blocks.Clear();
            Interlocked.Exchange(ref _cells, block.Count);
        }

        _blocks[(table, month, state)] = block;
    }

    public void Forget(string table, string month, string state) => _blocks.TryRemove((table, month, state), out _);
}
