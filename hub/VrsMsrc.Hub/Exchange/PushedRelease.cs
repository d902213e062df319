using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using VrsMsrc.Contracts;
using VrsMsrc.Contracts.Catalogue;
using VrsMsrc.Contracts.Text;
using VrsMsrc.Hub.Storage;

namespace VrsMsrc.Hub.Exchange;

/// <summary>
/// A pushed release (release.proto's Release) read straight from its bytes. <see cref="Read"/> takes the
/// header, so the sender's right to the release is checked before its cells are looked at;
/// <see cref="TryCheck"/> then checks every month, table and cell against the catalogue and code lists,
/// so that a hub holds only well-formed cells of known tables, codes and past months, and in the same pass
/// writes the cells in their stored form. Each distinct code is looked up and escaped once per release:
/// parsing into messages, then checking, then encoding used to take three passes, an object per cell and
/// a string per code (push benchmark, docs/benchmarks.md).
/// </summary>
internal sealed class PushedRelease
{
    /// <summary>
    /// How far a node's clock may run ahead of the hub's: a node releasing just after midnight on the
    /// first of a month must not see that month refused, and dead-lettered, as "in the future".
    /// </summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromDays(1);

    private static readonly FrozenDictionary<string, TableShape> Shapes = ReleaseCatalogue.All.ToFrozenDictionary(t => t.Name, t => new TableShape(t));

    private readonly ReadOnlyMemory<byte> _payload;
    private readonly List<Range> _months;

    private PushedRelease(ReadOnlyMemory<byte> payload, string releaseId, string state, int schemaVersion, List<Range> months)
    {
        _payload = payload;
        ReleaseId = releaseId;
        State = state;
        SchemaVersion = schemaVersion;
        _months = months;
    }

    public string ReleaseId { get; }

    public string State { get; }

    public int SchemaVersion { get; }

    /// <summary>The release's own fields; the months are only located. Throws <see cref="MalformedReleaseException"/>.</summary>
    public static PushedRelease Read(ReadOnlyMemory<byte> payload)
    {
        var reader = new WireReader(payload.Span);
        string releaseId = "", state = "";
        var schemaVersion = 0;
        var months = new List<Range>();
        while (!reader.AtEnd)
        {
            switch (reader.ReadTag())
            {
                case (1, WireReader.LengthDelimited):
                    releaseId = reader.ReadString();
                    break;
                case (2, WireReader.LengthDelimited):
                    state = reader.ReadString();
                    break;
                case (3, WireReader.Varint):
                    schemaVersion = (int)reader.ReadVarint();
                    break;
                case (5, WireReader.LengthDelimited):
                    months.Add(reader.ReadRange());
                    break;
                case var (_, wireType):
                    reader.Skip(wireType);
                    break;
            }
        }

        return new PushedRelease(payload, releaseId, state, schemaVersion, months);
    }

    /// <summary>
    /// The release as the stores take it, or the reason to give the node why it may not be applied.
    /// Throws <see cref="MalformedReleaseException"/> for bytes that are not a release.
    /// </summary>
    public bool TryCheck(IReadOnlySet<string> corridors, DateTimeOffset now, [NotNullWhen(true)] out CheckedRelease? release, [NotNullWhen(false)] out string? problem)
    {
        release = null;
        if (SchemaVersion != Protocol.SchemaVersion)
        {
            problem = $"release schema version {SchemaVersion} is not supported (hub speaks {Protocol.SchemaVersion})";
            return false;
        }

        var months = new List<(string Month, long Version, List<Range> Tables)>(_months.Count);
        if ((problem = ReadMonths(now, months)) is not null)
        {
            return false;
        }

        // A stored cell takes about 1.7 times its bytes on the wire.
        var blocks = new CellBlockWriter(_payload.Length * 2L);
        var codes = new Dictionary<string, CodeTable>();
        var written = new List<List<(string Table, int Cells, Range Block)>>(months.Count);
        foreach (var (month, _, tables) in months)
        {
            var seen = new HashSet<string>();
            var monthTables = new List<(string, int, Range)>(tables.Count);
            foreach (var range in tables)
            {
                var name = TableName(_payload.Span[range]);
                if (!seen.Add(name))
                {
                    // The hub replaces a table's cells per release; a second copy would be silently ignored.
                    problem = $"{month} {name}: the table appears twice";
                    return false;
                }

                if (!Shapes.TryGetValue(name, out var shape))
                {
                    problem = $"{month} {name}: not a table of the release catalogue";
                    return false;
                }

                var dimensions = shape.Table.Dimensions.Select(d => codes.TryGetValue(d, out var c) ? c : codes[d] = new CodeTable(d, corridors)).ToArray();
                blocks.BeginBlock();
                if (WriteCells(_payload.Span[range], shape, dimensions, blocks, out var cells) is { } cellProblem)
                {
                    problem = $"{month} {name}: {cellProblem}";
                    return false;
                }

                monthTables.Add((name, cells, blocks.EndBlock()));
            }

            written.Add(monthTables);
        }

        var stored = blocks.Blocks;
        release = new CheckedRelease(ReleaseId, State, [.. months.Select((m, i) => new CheckedMonth(m.Month, m.Version,
            [.. written[i].Select(t => new CheckedTable(t.Table, t.Cells, stored[t.Block]))]))]);
        return true;
    }

    private string? ReadMonths(DateTimeOffset now, List<(string Month, long Version, List<Range> Tables)> months)
    {
        var currentMonth = Months.Of(now + ClockSkew);
        var seen = new HashSet<string>();
        foreach (var range in _months)
        {
            var reader = new WireReader(_payload.Span[range], range.Start.Value);
            var month = "";
            long version = 0;
            var tables = new List<Range>();
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
                        tables.Add(reader.ReadRange());
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

            if (string.CompareOrdinal(month, currentMonth) > 0)
            {
                return $"month {month} is in the future";
            }

            if (!seen.Add(month))
            {
                return $"month {month} appears twice";
            }

            if (version < 1)
            {
                return $"month {month} has version {version}; versions start at 1";
            }

            months.Add((month, version, tables));
        }

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
    private static string? WriteCells(ReadOnlySpan<byte> message, TableShape shape, CodeTable[] dimensions, CellBlockWriter blocks, out int count)
    {
        count = 0;
        var width = dimensions.Length;
        var keys = new HashSet<UInt128>();
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

            blocks.BeginCell(value, shape.MeasureFields[measureIndex]);
            foreach (var code in codes)
            {
                blocks.AppendField(code.Field);
            }

            blocks.EndCell();
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

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = default(HashCode);
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
