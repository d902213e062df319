using System.Buffers.Binary;
using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using VrsMsrc.Contracts;
using VrsMsrc.Contracts.Catalogue;
using VrsMsrc.Contracts.Text;
using VrsMsrc.Hub.Storage;

namespace VrsMsrc.Hub.Exchange;

/// <summary>
/// A pushed release (release.proto's Release) read straight from its bytes, while they arrive: each month
/// is checked against the catalogue and code lists as soon as its bytes are in (<see cref="Advance"/>), and
/// in the same pass its cells are written in their stored form, so that a hub holds only well-formed cells
/// of known tables, codes and past months, and most of the checking overlaps the upload instead of
/// following it. Each distinct code is looked up and escaped once per release; no object is made per cell
/// (push benchmark, docs/benchmarks.md). What is wrong is only reported once the whole payload is in
/// (<see cref="Complete"/>, <see cref="TryCheck"/>), in a fixed order, so the refusal does not depend on
/// how the bytes were cut into chunks.
/// </summary>
internal sealed class PushedRelease
{
    /// <summary>
    /// How far a node's clock may run ahead of the hub's: a node releasing just after midnight on the
    /// first of a month must not see that month refused, and dead-lettered, as "in the future".
    /// </summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromDays(1);

    /// <summary>
    /// Bytes a push may have set aside on its announced size alone, before they arrive: the size is only
    /// the sender's claim, so beyond this buffers grow with what actually arrives.
    /// </summary>
    public const int MaxUpFront = 16 << 20;

    private static readonly FrozenDictionary<string, TableShape> Shapes = ReleaseCatalogue.All.ToFrozenDictionary(t => t.Name, t => new TableShape(t));

    private readonly IReadOnlySet<string> _corridors;
    private readonly string _currentMonth;
    private readonly CellBlockWriter _blocks;
    private readonly Dictionary<string, CodeTable> _codes = [];
    private readonly HashSet<string> _months = [];
    private readonly List<(string Month, long Version, List<(string Table, int Cells, Range Block)> Tables)> _checked = [];

    // One set for every table's cells, emptied between tables: its capacity is reused instead of regrown.
    private readonly HashSet<UInt128> _cellKeys = [];

    /// <summary>Bytes of the payload read so far: every top-level field before this offset has been handled.</summary>
    private int _read;

    /// <summary>The payload is not a release message at all (its top-level fields do not parse).</summary>
    private MalformedReleaseException? _malformed;

    /// <summary>The first month that cannot be stored: its bytes are broken, or the reason to refuse it.</summary>
    private MalformedReleaseException? _malformedMonth;

    private string? _problem;

    /// <param name="corridors">The hub's corridor codes.</param>
    /// <param name="now">The hub's clock: months after the current one are refused.</param>
    /// <param name="expectedBytes">The payload's announced size, to size the stored form's buffer.</param>
    public PushedRelease(IReadOnlySet<string> corridors, DateTimeOffset now, long expectedBytes)
    {
        _corridors = corridors;
        _currentMonth = Months.Of(now + ClockSkew);
        // A stored cell takes about 1.2 times its bytes on the wire.
        _blocks = new CellBlockWriter(Math.Min(expectedBytes * 3 / 2, MaxUpFront));
    }

    public string ReleaseId { get; private set; } = "";

    public string State { get; private set; } = "";

    public int SchemaVersion { get; private set; }

    /// <summary>A whole payload, read and its months checked; throws <see cref="MalformedReleaseException"/> as <see cref="ThrowIfMalformed"/>, and <see cref="TryCheck"/> tells the rest.</summary>
    public static PushedRelease Read(ReadOnlySpan<byte> payload, IReadOnlySet<string> corridors, DateTimeOffset now)
    {
        var release = new PushedRelease(corridors, now, payload.Length);
        release.Complete(payload);
        release.ThrowIfMalformed();
        return release;
    }

    /// <summary>
    /// Reads every top-level field that has arrived whole in <paramref name="received"/> (the payload so far,
    /// always from its first byte) and checks each month among them. Never throws: what is wrong is kept for
    /// <see cref="ThrowIfMalformed"/> and <see cref="TryCheck"/>.
    /// </summary>
    public void Advance(ReadOnlySpan<byte> received) => ReadFields(received, whole: false);

    /// <summary>Reads the rest of the whole payload.</summary>
    public void Complete(ReadOnlySpan<byte> payload) => ReadFields(payload, whole: true);

    /// <summary>
    /// After <see cref="Complete"/>: throws <see cref="MalformedReleaseException"/> when the payload is not a
    /// release message at all; otherwise the release's own fields (<see cref="State"/>, <see cref="ReleaseId"/>) are known.
    /// </summary>
    public void ThrowIfMalformed()
    {
        if (_malformed is not null)
        {
            throw _malformed;
        }
    }

    /// <summary>
    /// After <see cref="Complete"/>: the release as the stores take it, or the reason to give the node why it
    /// may not be applied. Throws <see cref="MalformedReleaseException"/> for a month whose bytes are broken.
    /// </summary>
    public bool TryCheck([NotNullWhen(true)] out CheckedRelease? release, [NotNullWhen(false)] out string? problem)
    {
        release = null;
        if (SchemaVersion != Protocol.SchemaVersion)
        {
            problem = $"release schema version {SchemaVersion} is not supported (hub speaks {Protocol.SchemaVersion})";
            return false;
        }

        if (_malformedMonth is not null)
        {
            throw _malformedMonth;
        }

        if ((problem = _problem) is not null)
        {
            return false;
        }

        var stored = _blocks.Blocks;
        release = new CheckedRelease(ReleaseId, State, [.. _checked.Select(m => new CheckedMonth(m.Month, m.Version,
            [.. m.Tables.Select(t => new CheckedTable(t.Table, t.Cells, stored[t.Block]))]))]);
        return true;
    }

    private void ReadFields(ReadOnlySpan<byte> payload, bool whole)
    {
        try
        {
            while (_malformed is null && _read < payload.Length)
            {
                var reader = new WireReader(payload[_read..], _read);
                if (!whole && !reader.HasWholeField())
                {
                    return;
                }

                switch (reader.ReadTag())
                {
                    case (1, WireReader.LengthDelimited):
                        ReleaseId = reader.ReadString();
                        break;
                    case (2, WireReader.LengthDelimited):
                        State = reader.ReadString();
                        break;
                    case (3, WireReader.Varint):
                        SchemaVersion = (int)reader.ReadVarint();
                        break;
                    case (5, WireReader.LengthDelimited):
                        var month = reader.ReadRange();
                        CheckMonth(payload[month], month.Start.Value);
                        break;
                    case var (_, wireType):
                        reader.Skip(wireType);
                        break;
                }

                _read += reader.Position;
            }
        }
        catch (MalformedReleaseException e)
        {
            _malformed = e;
        }
    }

    /// <summary>Checks one MonthRelease message and writes its tables' blocks; after the first month that fails, the rest are only located.</summary>
    private void CheckMonth(ReadOnlySpan<byte> message, int offset)
    {
        if (_malformedMonth is not null || _problem is not null)
        {
            return;
        }

        try
        {
            _problem = WriteMonth(message, offset);
        }
        catch (MalformedReleaseException e)
        {
            _malformedMonth = e;
        }
        catch (InvalidDataException e)
        {
            _problem = e.Message;
        }
    }

    private string? WriteMonth(ReadOnlySpan<byte> message, int offset)
    {
        var reader = new WireReader(message, offset);
        var month = "";
        long version = 0;
        var tableRanges = new List<Range>();
        while (!reader.AtEnd)
        {
            switch (reader.ReadTag())
            {
                case (1, WireReader.LengthDelimited):
                    month = reader.ReadString();
                    break;
                case (2, WireReader.Varint):
                    version = (long)reader.ReadVarint();
                    break;
                case (3, WireReader.LengthDelimited):
                    tableRanges.Add(reader.ReadRange());
                    break;
                case var (_, wireType):
                    reader.Skip(wireType);
                    break;
            }
        }

        if (!Months.TryParse(month, out _))
        {
            return $"month '{month}' is not YYYY-MM";
        }

        if (string.CompareOrdinal(month, _currentMonth) > 0)
        {
            return $"month {month} is in the future";
        }

        if (!_months.Add(month))
        {
            return $"month {month} appears twice";
        }

        if (version < 1)
        {
            return $"month {month} has version {version}; versions start at 1";
        }

        var names = new HashSet<string>();
        var tables = new List<(string, int, Range)>(tableRanges.Count);
        foreach (var range in tableRanges)
        {
            var table = message[(range.Start.Value - offset)..(range.End.Value - offset)];
            var name = TableName(table);
            if (!names.Add(name))
            {
                // The hub replaces a table's cells per release; a second copy would be silently ignored.
                return $"{month} {name}: the table appears twice";
            }

            if (!Shapes.TryGetValue(name, out var shape))
            {
                return $"{month} {name}: not a table of the release catalogue";
            }

            var dimensions = shape.Table.Dimensions.Select(d => _codes.TryGetValue(d, out var c) ? c : _codes[d] = new CodeTable(d, _corridors)).ToArray();
            _blocks.BeginBlock();
            if (WriteCells(table, shape, dimensions, out var cells) is { } cellProblem)
            {
                return $"{month} {name}: {cellProblem}";
            }

            tables.Add((name, cells, _blocks.EndBlock()));
        }

        _checked.Add((month, version, tables));
        return null;
    }

    /// <summary>A TableCells message's name, wherever among its cells it stands (the last one, as protobuf reads it).</summary>
    private static string TableName(ReadOnlySpan<byte> message)
    {
        var reader = new WireReader(message);
        var name = "";
        while (!reader.AtEnd)
        {
            switch (reader.ReadTag())
            {
                case (1, WireReader.LengthDelimited):
                    name = reader.ReadString();
                    break;
                case var (_, wireType):
                    reader.Skip(wireType);
                    break;
            }
        }

        return name;
    }

    /// <summary>Checks each cell of a TableCells message and writes it to the table's block; null, or what is wrong.</summary>
    private string? WriteCells(ReadOnlySpan<byte> message, TableShape shape, CodeTable[] dimensions, out int count)
    {
        count = 0;
        var width = dimensions.Length;
        var keys = _cellKeys;
        keys.Clear();
        Span<Range> dims = stackalloc Range[ReleaseCatalogue.MaxDimensions];
        var codes = new Code[width];
        var table = new WireReader(message);
        while (!table.AtEnd)
        {
            var (field, wireType) = table.ReadTag();
            if ((field, wireType) != (2, WireReader.LengthDelimited))
            {
                table.Skip(wireType);
                continue;
            }

            var cell = table.ReadBytes();
            var reader = new WireReader(cell);
            var dimCount = 0;
            Range measure = default;
            long value = 0;
            while (!reader.AtEnd)
            {
                switch (reader.ReadTag())
                {
                    case (1, WireReader.LengthDelimited):
                        var dim = reader.ReadRange();
                        if (dimCount < dims.Length)
                        {
                            dims[dimCount] = dim;
                        }

                        dimCount++;
                        break;
                    case (2, WireReader.LengthDelimited):
                        measure = reader.ReadRange();
                        break;
                    case (3, WireReader.Varint):
                        value = (long)reader.ReadVarint();
                        break;
                    case var (_, wireType2):
                        reader.Skip(wireType2);
                        break;
                }
            }

            if (dimCount != width)
            {
                return $"a cell has {dimCount} dimensions, the table has {width}";
            }

            var measureIndex = shape.Measure(cell[measure]);
            if (measureIndex < 0)
            {
                return $"unknown measure '{Encoding.UTF8.GetString(cell[measure])}'";
            }

            if (value < 0)
            {
                return "negative value";
            }

            var key = (UInt128)(uint)measureIndex;
            for (var i = 0; i < width; i++)
            {
                if (dimensions[i].Find(cell[dims[i]]) is not { } code)
                {
                    return $"unknown {dimensions[i].Dimension} code '{Encoding.UTF8.GetString(cell[dims[i]])}'";
                }

                codes[i] = code;
                key = (key << CodeTable.IdBits) | (uint)code.Id;
            }

            if (!keys.Add(key))
            {
                return $"the cell {shape.Table.Measures[measureIndex]} ({string.Join(", ", codes.Select(c => c.Text))}) appears twice";
            }

            _blocks.BeginCell(value, shape.MeasureFields[measureIndex]);
            foreach (var code in codes)
            {
                _blocks.AppendField(code.Field);
            }

            _blocks.EndCell();
            count++;
        }

        return null;
    }

    /// <summary>A catalogue table's measures as UTF-8, to find a cell's measure without making a string of it.</summary>
    private sealed class TableShape(CatalogueTable table)
    {
        private readonly byte[][] _measures = [.. table.Measures.Select(Encoding.UTF8.GetBytes)];

        public CatalogueTable Table { get; } = table;

        public byte[][] MeasureFields { get; } = [.. table.Measures.Select(CellBlockCodec.Field)];

        public int Measure(ReadOnlySpan<byte> utf8)
        {
            for (var i = 0; i < _measures.Length; i++)
            {
                if (utf8.SequenceEqual(_measures[i]))
                {
                    return i;
                }
            }

            return -1;
        }
    }

    private sealed record Code(int Id, string Text, byte[] Field);

    /// <summary>
    /// The codes of one dimension met in this release, found by their UTF-8 bytes: the first time a code
    /// is met it is checked against its list and gets a small number; every later cell with it costs one lookup.
    /// </summary>
    private sealed class CodeTable
    {
        /// <summary>Bits of a code's number in a cell key: four dimensions and the measure fit in 128 bits.</summary>
        public const int IdBits = 24;

        private readonly Dictionary<byte[], Code> _codes = new(Utf8Comparer.Instance);
        private readonly Dictionary<byte[], Code>.AlternateLookup<ReadOnlySpan<byte>> _lookup;
        private readonly IReadOnlySet<string> _corridors;

        public CodeTable(string dimension, IReadOnlySet<string> corridors)
        {
            Dimension = dimension;
            _corridors = corridors;
            _lookup = _codes.GetAlternateLookup<ReadOnlySpan<byte>>();
        }

        public string Dimension { get; }

        /// <summary>The code, or null when the dimension's list does not know it.</summary>
        public Code? Find(ReadOnlySpan<byte> utf8)
        {
            if (_lookup.TryGetValue(utf8, out var code))
            {
                return code;
            }

            var text = Encoding.UTF8.GetString(utf8);
            if (!DimensionCodes.IsKnown(Dimension, text, _corridors) || _codes.Count >= 1 << IdBits)
            {
                return null;
            }

            code = new Code(_codes.Count, text, CellBlockCodec.Field(text));
            _codes.Add(utf8.ToArray(), code);
            return code;
        }
    }

    private sealed class Utf8Comparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly Utf8Comparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => GetHashCode(obj.AsSpan());

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        /// <summary>
        /// A multiplicative hash, eight bytes at a time: codes are short and looked up four times a cell, and
        /// HashCode.AddBytes took a tenth of the check. Only codes found in the code lists are ever added, so
        /// hostile bytes cannot fill a table with colliding keys.
        /// </summary>
        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            const ulong Mix = 0x9E3779B97F4A7C15;
            var hash = (ulong)alternate.Length * Mix;
            var i = 0;
            for (; i + 8 <= alternate.Length; i += 8)
            {
                hash = (hash ^ BinaryPrimitives.ReadUInt64LittleEndian(alternate[i..])) * Mix;
            }

            ulong tail = 0;
            for (; i < alternate.Length; i++)
            {
                tail = (tail << 8) | alternate[i];
            }

            hash = (hash ^ tail) * Mix;
            return (int)(hash >> 32) ^ (int)hash;
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
