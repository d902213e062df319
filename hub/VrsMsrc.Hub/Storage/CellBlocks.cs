using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using VrsMsrc.Contracts.Catalogue;

namespace VrsMsrc.Hub.Storage;

/// <summary>
/// The stored form of one state's month: a JSON object with one member per table, each a block of cells,
/// a JSON array of [value, measure, dim0, dim1, dim2, dim3] ('' past the table's width). JSON rather than
/// a private binary form so that SQLite's own json_each can show the cells as rows (the 'cells' view).
/// </summary>
internal static class CellBlockCodec
{
    private static readonly SearchValues<char> NeedEscaping = SearchValues.Create([.. Enumerable.Range(0, 32).Select(c => (char)c), '"', '\\']);

    /// <summary>
    /// ,"text" in UTF-8 with JSON escaping: one field of a cell after its value. Checked codes never need
    /// escaping, but the stored form does not rely on that.
    /// </summary>
    public static byte[] Field(string text)
    {
        if (!text.AsSpan().ContainsAny(NeedEscaping))
        {
            return Encoding.UTF8.GetBytes($",\"{text}\"");
        }

        var escaped = new StringBuilder(",\"", text.Length + 8);
        foreach (var c in text)
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

        return Encoding.UTF8.GetBytes(escaped.Append('"').ToString());
    }

    /// <summary>"name": in UTF-8: a table's member name in a month's object, the catalogue's names needing no escaping.</summary>
    public static byte[] Member(string table) => Encoding.UTF8.GetBytes($"\"{table}\":");

    /// <summary>The block of <paramref name="table"/> in a stored month, decoded; a month without that table holds none of its cells.</summary>
    public static CellBlock DecodeTable(ReadOnlySpan<byte> month, string table, string state, string monthName, int width, long version, StringPool pool)
    {
        var reader = new Utf8JsonReader(month);
        Expect(ref reader, JsonTokenType.StartObject);
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(table))
            {
                return Decode(ref reader, state, monthName, width, version, pool);
            }

            reader.Skip();
        }

        return new CellBlock(version, new Dictionary<string, StoredCell[]>());
    }

    /// <summary>Decodes a block into its cells per measure; strings come from <paramref name="pool"/>, so a cached store holds each code once.</summary>
    public static CellBlock Decode(ReadOnlySpan<byte> json, string state, string month, int width, long version, StringPool pool)
    {
        var reader = new Utf8JsonReader(json);
        return Decode(ref reader, state, month, width, version, pool);
    }

    private static CellBlock Decode(ref Utf8JsonReader reader, string state, string month, int width, long version, StringPool pool)
    {
        var byMeasure = new Dictionary<string, List<StoredCell>>(StringComparer.Ordinal);
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

/// <summary>
/// Writes the stored months of one release, table by table and cell by cell, into one growing buffer: a
/// release is thousands of small blocks and this is on the ingest path, so each distinct code is escaped
/// once (<see cref="CellBlockCodec.Field"/>) and a cell costs a few copies of bytes. Written by hand rather
/// than with a JSON writer for that reason. What it wrote is valid until it is disposed.
/// </summary>
internal sealed class CellBlockWriter : IDisposable
{
    private static readonly byte[] EmptyField = CellBlockCodec.Field("");

    /// <summary>A comma, a bracket and the longest value, 20 digits with its sign.</summary>
    private const int MaxCellPrefix = 2 + 20;

    private readonly PooledBytes _bytes = new();
    private int _monthStart;
    private int _blockStart;

    /// <summary>
    /// Makes room for about <paramref name="bytes"/> more at once rather than doubling to it, buffer after buffer.
    /// </summary>
    public void Expect(long bytes) => Reserve((int)Math.Min(bytes, Array.MaxLength - _bytes.Length));

    public void BeginMonth()
    {
        _monthStart = _bytes.Length;
        Append((byte)'{');
    }

    /// <summary>A table's block, after its member name as made by <see cref="CellBlockCodec.Member"/>.</summary>
    public void BeginBlock(byte[] member)
    {
        if (_bytes.Length > _monthStart + 1)
        {
            Append((byte)',');
        }

        Append(member);
        _blockStart = _bytes.Length;
        Append((byte)'[');
    }

    /// <summary>
    /// One cell: its value, its measure and its dimensions' values, each field as made by
    /// <see cref="CellBlockCodec.Field"/>. Room for the whole cell is made once and the fields are copied
    /// straight in: a release is 100,000 cells and more, and checking each copy's room took a tenth of the check.
    /// </summary>
    public void Cell(long value, byte[] measure, ReadOnlySpan<byte[]> dimensions)
    {
        // Every cell has the widest table's number of dimensions; '' past this table's width.
        var padding = ReleaseCatalogue.MaxDimensions - dimensions.Length;
        var room = MaxCellPrefix + measure.Length + (padding * EmptyField.Length) + 1;
        foreach (var field in dimensions)
        {
            room += field.Length;
        }

        var cell = Reserve(room);
        var at = 0;
        if (_bytes.Length > _blockStart + 1)
        {
            cell[at++] = (byte)',';
        }

        cell[at++] = (byte)'[';
        value.TryFormat(cell[at..], out var written, default, CultureInfo.InvariantCulture);
        at += written;
        at += Copy(measure, cell[at..]);
        foreach (var field in dimensions)
        {
            at += Copy(field, cell[at..]);
        }

        for (var i = 0; i < padding; i++)
        {
            at += Copy(EmptyField, cell[at..]);
        }

        cell[at++] = (byte)']';
        _bytes.Advance(at);

        static int Copy(byte[] field, Span<byte> to)
        {
            field.CopyTo(to);
            return field.Length;
        }
    }

    /// <summary>Where the block just written lies in <see cref="Written"/>.</summary>
    public Range EndBlock()
    {
        Append((byte)']');
        return _blockStart.._bytes.Length;
    }

    /// <summary>Where the month just written lies in <see cref="Written"/>.</summary>
    public Range EndMonth()
    {
        Append((byte)'}');
        return _monthStart.._bytes.Length;
    }

    /// <summary>Every month written; valid until the next write, and not at all once disposed.</summary>
    public ReadOnlyMemory<byte> Written => _bytes.Written;

    public void Dispose() => _bytes.Dispose();

    private void Append(byte b)
    {
        Reserve(1)[0] = b;
        _bytes.Advance(1);
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        _bytes.Advance(bytes.Length);
    }

    private Span<byte> Reserve(int count)
    {
        // Only a release near the 2 GB limit of MaxReleaseBytes gets here; it is refused, not half stored.
        if ((long)_bytes.Length + count > Array.MaxLength)
        {
            throw new InvalidDataException($"the release's cells take more than {Array.MaxLength:N0} bytes in their stored form");
        }

        return _bytes.Reserve(count);
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
