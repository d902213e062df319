using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
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
    private static readonly SearchValues<char> NeedEscaping = SearchValues.Create([.. Enumerable.Range(0, 32).Select(c => (char)c), '"', '\\']);

    /// <summary>
    /// The block of one table's cells, as UTF-8 JSON text (what SQLite stores; no string is made on the way).
    /// A cell key (measure and dimensions) given twice is refused: the validator tells a node so with a
    /// reason, and this keeps a block from ever holding two values for one cell whoever calls the store.
    /// Written by hand rather than with a JSON writer: a release is thousands of small blocks, and this is
    /// on the ingest path.
    /// </summary>
    public static byte[] Encode(TableCells table)
    {
        var keys = new CellKeySet(table.Cells.Count);
        var json = new Utf8Buffer(16 + (table.Cells.Count * 40));
        json.Append((byte)'[');
        foreach (var cell in table.Cells)
        {
            if (!keys.Add(cell))
            {
                throw new InvalidDataException($"{table.Table}: the cell {cell.Measure} ({string.Join(", ", cell.Dims)}) appears twice");
            }

            json.Append(json.Length > 1 ? ",["u8 : "["u8);
            json.Append(cell.Value);
            AppendString(ref json, cell.Measure);
            for (var i = 0; i < ReleaseCatalogue.MaxDimensions; i++)
            {
                AppendString(ref json, i < cell.Dims.Count ? cell.Dims[i] : "");
            }

            json.Append((byte)']');
        }

        json.Append((byte)']');
        return json.ToArray();
    }

    /// <summary>Appends ,"value" with JSON escaping; validated codes never need any, but the store does not rely on that.</summary>
    private static void AppendString(ref Utf8Buffer json, string value)
    {
        json.Append(",\""u8);
        if (!value.AsSpan().ContainsAny(NeedEscaping))
        {
            json.Append(value);
            json.Append((byte)'"');
            return;
        }

        var escaped = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                escaped.Append('\\').Append(c);
            }
            else if (c < ' ')
            {
                escaped.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                escaped.Append(c);
            }
        }

        json.Append(escaped.ToString());
        json.Append((byte)'"');
    }

    /// <summary>A growing UTF-8 buffer: the few appends a block needs, without a builder of chars in between.</summary>
    private struct Utf8Buffer(int capacity)
    {
        private byte[] _bytes = new byte[capacity];

        public int Length { get; private set; }

        public void Append(byte b)
        {
            Reserve(1);
            _bytes[Length++] = b;
        }

        public void Append(ReadOnlySpan<byte> bytes)
        {
            Reserve(bytes.Length);
            bytes.CopyTo(_bytes.AsSpan(Length));
            Length += bytes.Length;
        }

        public void Append(string text)
        {
            Reserve(Encoding.UTF8.GetMaxByteCount(text.Length));
            Length += Encoding.UTF8.GetBytes(text, _bytes.AsSpan(Length));
        }

        public void Append(long value)
        {
            Reserve(20);
            value.TryFormat(_bytes.AsSpan(Length), out var written, default, CultureInfo.InvariantCulture);
            Length += written;
        }

        public readonly byte[] ToArray() => _bytes.AsSpan(0, Length).ToArray();

        private void Reserve(int count)
        {
            if (Length + count > _bytes.Length)
            {
                Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, Length + count));
            }
        }
    }

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
