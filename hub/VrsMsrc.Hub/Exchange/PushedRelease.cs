using System.Buffers.Binary;
using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
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
/// following it; a large batch of months is checked on two threads. Each distinct code is looked up and
/// escaped once per release; no object is made per cell (push benchmark, docs/benchmarks.md). What is wrong is only reported once the whole payload is in
/// (<see cref="Complete"/>, <see cref="TryCheck"/>), in a fixed order, so the refusal does not depend on
/// how the bytes were cut into chunks.
/// </summary>
internal sealed class PushedRelease : IDisposable
{
    /// <summary>
    /// How far a node's clock may run ahead of the hub's: a node releasing just after midnight on the
    /// first of a month must not see that month refused, and dead-lettered, as "in the future".
    /// </summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromDays(1);

    private static readonly FrozenDictionary<string, TableShape> Shapes = ReleaseCatalogue.All.ToFrozenDictionary(t => t.Name, t => new TableShape(t));

    /// <summary>Months past this many bytes at once are checked on two threads, half each.</summary>
    public const int ParallelBytes = 256 << 10;

    private readonly int _parallelBytes;
    private readonly string _currentMonth;
    private readonly HashSet<string> _months = [];
    private readonly MonthChecker[] _checkers;
    private readonly List<(string Month, long Version, int Checker, CheckedTables Tables)> _checked = [];

    /// <summary>Bytes of the payload read so far: every top-level field before this offset has been handled.</summary>
    private int _read;

    /// <summary>The payload is not a release message at all (its top-level fields do not parse).</summary>
    private MalformedReleaseException? _malformed;

    /// <summary>The first month that cannot be stored: its bytes are broken, or the reason to refuse it.</summary>
    private Failure? _monthFailure;

    /// <param name="corridors">The hub's corridor codes.</param>
    /// <param name="now">The hub's clock: months after the current one are refused.</param>
    /// <param name="parallelBytes">From how many bytes of months at once their cells are checked on two threads.</param>
    public PushedRelease(IReadOnlySet<string> corridors, DateTimeOffset now, int parallelBytes = ParallelBytes)
    {
        _parallelBytes = parallelBytes;
        _currentMonth = Months.Of(now + ClockSkew);
        _checkers = [new MonthChecker(corridors), new MonthChecker(corridors)];
    }

    public string ReleaseId { get; private set; } = "";

    public string State { get; private set; } = "";

    public int SchemaVersion { get; private set; }

    /// <summary>A whole payload, read and its months checked; throws <see cref="MalformedReleaseException"/> as <see cref="ThrowIfMalformed"/>, and <see cref="TryCheck"/> tells the rest.</summary>
    public static PushedRelease Read(ReadOnlyMemory<byte> payload, IReadOnlySet<string> corridors, DateTimeOffset now)
    {
        var release = new PushedRelease(corridors, now);
        release.Complete(payload);
        release.ThrowIfMalformed();
        return release;
    }

    /// <summary>
    /// Reads every top-level field that has arrived whole in <paramref name="received"/> (the payload so far,
    /// always from its first byte) and checks each month among them. Never throws: what is wrong is kept for
    /// <see cref="ThrowIfMalformed"/> and <see cref="TryCheck"/>.
    /// </summary>
    public void Advance(ReadOnlyMemory<byte> received) => ReadFields(received, whole: false);

    /// <summary>Reads the rest of the whole payload.</summary>
    public void Complete(ReadOnlyMemory<byte> payload) => ReadFields(payload, whole: true);

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
    /// The release's stored months lie in this one's buffers: it is applied before this one is disposed.
    /// </summary>
    public bool TryCheck([NotNullWhen(true)] out CheckedRelease? release, [NotNullWhen(false)] out string? problem)
    {
        ThrowIfMalformed();
        release = null;
        if (SchemaVersion != Protocol.SchemaVersion)
        {
            problem = $"release schema version {SchemaVersion} is not supported (hub speaks {Protocol.SchemaVersion})";
            return false;
        }

        if (_monthFailure?.Malformed is { } malformed)
        {
            throw malformed;
        }

        if ((problem = _monthFailure?.Problem) is not null)
        {
            return false;
        }

        var stored = _checkers.Select(c => c.Blocks.Written).ToArray();
        release = new CheckedRelease(ReleaseId, State, [.. _checked.Select(m => new CheckedMonth(m.Month, m.Version,
            [.. m.Tables.Tables.Select(t => new CheckedTable(t.Table, t.Cells, stored[m.Checker][t.Block]))], stored[m.Checker][m.Tables.Month]))]);
        return true;
    }

    /// <summary>Gives the buffers of the stored months back to the pool; no checking pass may be running.</summary>
    public void Dispose()
    {
        foreach (var checker in _checkers)
        {
            checker.Blocks.Dispose();
        }
    }

    private void ReadFields(ReadOnlyMemory<byte> payload, bool whole)
    {
        var months = new List<Range>();
        try
        {
            while (_malformed is null && _read < payload.Length)
            {
                var reader = new WireReader(payload.Span[_read..], _read);
                if (!whole && !reader.HasWholeField())
                {
                    break;
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
                        months.Add(reader.ReadRange());
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
            // Refused as a whole before any month's fault is looked at.
            _malformed = e;
            return;
        }

        CheckMonths(payload, months);
    }

    /// <summary>
    /// Checks months and writes their tables' blocks. Their own fields are checked in order (a month may
    /// appear only once); their cells, most of the work, on two threads for a large batch, each checker
    /// taking a contiguous half. The first month that fails, in payload order, is what is reported;
    /// after it, months are only located.
    /// </summary>
    private void CheckMonths(ReadOnlyMemory<byte> payload, List<Range> months)
    {
        if (months.Count == 0 || _monthFailure is not null)
        {
            return;
        }

        var headers = new List<MonthHeader>(months.Count);
        Failure? headerFailure = null;
        foreach (var range in months)
        {
            try
            {
                var header = MonthHeader.Read(payload.Span[range], range.Start.Value);
                if (HeaderProblem(header) is { } problem)
                {
                    headerFailure = new Failure(problem, null);
                    break;
                }

                headers.Add(header);
            }
            catch (MalformedReleaseException e)
            {
                headerFailure = new Failure(null, e);
                break;
            }
        }

        var bytes = headers.Sum(h => (long)h.Bytes);
        var split = headers.Count;
        if (bytes >= _parallelBytes)
        {
            long half = 0;
            for (split = 0; split < headers.Count && half < bytes / 2; split++)
            {
                half += headers[split].Bytes;
            }
        }

        Checked first = new([], null), second = new([], null);
        if (split < headers.Count)
        {
            Parallel.Invoke(
                () => first = _checkers[0].Check(payload, headers, 0, split),
                () => second = _checkers[1].Check(payload, headers, split, headers.Count));
        }
        else
        {
            first = _checkers[0].Check(payload, headers, 0, split);
        }

        _monthFailure = Append(0, first, 0) ?? Append(1, second, split) ?? headerFailure;

        Failure? Append(int checker, Checked done, int from)
        {
            for (var i = 0; i < done.Tables.Count; i++)
            {
                _checked.Add((headers[from + i].Month, headers[from + i].Version, checker, done.Tables[i]));
            }

            return done.Failed;
        }
    }

    private string? HeaderProblem(MonthHeader header)
    {
        var month = header.Month;
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

        if (header.Tables.Count == 0)
        {
            // A month is replaced whole: an empty one would wipe the month's tables while keeping a version
            // only on SQLite (PostgreSQL keeps versions per table). A node sends every table, empty or not.
            return $"month {month} carries no tables";
        }

        return header.Version < 1 ? $"month {month} has version {header.Version}; versions start at 1" : null;
    }

    /// <summary>Why a month cannot be stored: a reason to give the node, or bytes that are not a month.</summary>
    private sealed record Failure(string? Problem, MalformedReleaseException? Malformed);

    /// <summary>What a checker did with its months: each one's tables, up to the first that failed.</summary>
    private readonly record struct Checked(List<CheckedTables> Tables, Failure? Failed);

    /// <summary>Where a checked month's stored form, and each of its tables' blocks, lie in its checker's buffer.</summary>
    private sealed record CheckedTables(Range Month, List<(string Table, int Cells, Range Block)> Tables);

    /// <summary>A MonthRelease message's own fields, and where its tables lie in the payload.</summary>
    private sealed record MonthHeader(string Month, long Version, List<Range> Tables, int Bytes)
    {
        public static MonthHeader Read(ReadOnlySpan<byte> message, int offset)
        {
            var reader = new WireReader(message, offset);
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

            return new MonthHeader(month, version, tables, message.Length);
        }
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

    /// <summary>
    /// Checks the cells of months and writes their blocks, with code tables and a buffer of its own, so that
    /// two can work side by side on the same release.
    /// </summary>
    private sealed class MonthChecker(IReadOnlySet<string> corridors)
    {
        private readonly Dictionary<string, CodeTable> _codes = [];

        /// <summary>Each table's dimensions' code tables, looked up once per release rather than once per table and month.</summary>
        private readonly Dictionary<TableShape, CodeTable[]> _dimensions = [];

        // One set for every table's cells, emptied between tables: its capacity is reused instead of regrown.
        private readonly CellKeySet _cellKeys = new();

        /// <summary>Grows with the months it is given (never with what a release merely announces).</summary>
        public CellBlockWriter Blocks { get; } = new();

        public Checked Check(ReadOnlyMemory<byte> payload, List<MonthHeader> headers, int from, int to)
        {
            // A stored cell takes about 1.2 times its bytes on the wire: room for the batch at once rather than doubling to it.
            long bytes = 0;
            for (var i = from; i < to; i++)
            {
                bytes += headers[i].Bytes;
            }

            Blocks.Expect(bytes * 3 / 2);
            var done = new List<CheckedTables>(to - from);
            for (var i = from; i < to; i++)
            {
                try
                {
                    if (WriteTables(payload.Span, headers[i], out var tables) is { } problem)
                    {
                        return new Checked(done, new Failure(problem, null));
                    }

                    done.Add(tables);
                }
                catch (MalformedReleaseException e)
                {
                    return new Checked(done, new Failure(null, e));
                }
                catch (InvalidDataException e)
                {
                    return new Checked(done, new Failure(e.Message, null));
                }
            }

            return new Checked(done, null);
        }

        private string? WriteTables(ReadOnlySpan<byte> payload, MonthHeader header, out CheckedTables tables)
        {
            var names = new HashSet<string>();
            var written = new List<(string, int, Range)>(header.Tables.Count);
            tables = new CheckedTables(default, written);
            Blocks.BeginMonth();
            foreach (var range in header.Tables)
            {
                var table = payload[range];
                var name = TableName(table);
                if (!names.Add(name))
                {
                    // A month is stored with one member per table; a second copy would be a member no reader sees.
                    return $"{header.Month} {name}: the table appears twice";
                }

                if (!Shapes.TryGetValue(name, out var shape))
                {
                    return $"{header.Month} {name}: not a table of the release catalogue";
                }

                if (!_dimensions.TryGetValue(shape, out var dimensions))
                {
                    _dimensions[shape] = dimensions = [.. shape.Table.Dimensions.Select(d => _codes.TryGetValue(d, out var c) ? c : _codes[d] = new CodeTable(d, corridors))];
                }

                Blocks.BeginBlock(shape.Member);
                if (WriteCells(table, shape, dimensions, out var cells) is { } cellProblem)
                {
                    return $"{header.Month} {name}: {cellProblem}";
                }

                written.Add((name, cells, Blocks.EndBlock()));
            }

            tables = tables with { Month = Blocks.EndMonth() };
            return null;
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
            var fields = new byte[width][];
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
                    fields[i] = code.Field;
                    key = (key << CodeTable.IdBits) | (uint)code.Id;
                }

                if (!keys.Add(key))
                {
                    return $"the cell {shape.Table.Measures[measureIndex]} ({string.Join(", ", codes.Select(c => c.Text))}) appears twice";
                }

                Blocks.Cell(value, shape.MeasureFields[measureIndex], fields);
                count++;
            }

            return null;
        }
    }

    /// <summary>A catalogue table's measures as UTF-8, to find a cell's measure without making a string of it.</summary>
    private sealed class TableShape(CatalogueTable table)
    {
        private readonly byte[][] _measures = [.. table.Measures.Select(Encoding.UTF8.GetBytes)];

        public CatalogueTable Table { get; } = table;

        public byte[][] MeasureFields { get; } = [.. table.Measures.Select(CellBlockCodec.Field)];

        public byte[] Member { get; } = CellBlockCodec.Member(table.Name);

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
    /// Codes are looked up several times a cell and all in the code lists are short: a short code is packed
    /// into four numbers and found in a table of its own by comparing them (a general dictionary's hashing
    /// and byte comparison took a quarter of the check); longer ones are kept in a dictionary.
    /// </summary>
    private sealed class CodeTable
    {
        /// <summary>Bits of a code's number in a cell key: four dimensions and the measure fit in 128 bits.</summary>
        public const int IdBits = 24;

        /// <summary>Codes of up to this many bytes fit, with their length, in four 64-bit numbers.</summary>
        private const int ShortBytes = 31;

        private const ulong Mix = 0x9E3779B97F4A7C15;

        private readonly Dictionary<byte[], Code> _long = new(Utf8Comparer.Instance);
        private readonly Dictionary<byte[], Code>.AlternateLookup<ReadOnlySpan<byte>> _longLookup;
        private readonly IReadOnlySet<string> _corridors;

        /// <summary>Open addressing with linear probing, never more than half full; a slot without a code is empty.</summary>
        private Slot[] _short = new Slot[64];
        private int _shortCount;

        public CodeTable(string dimension, IReadOnlySet<string> corridors)
        {
            Dimension = dimension;
            _corridors = corridors;
            _longLookup = _long.GetAlternateLookup<ReadOnlySpan<byte>>();
        }

        public string Dimension { get; }

        /// <summary>The code, or null when the dimension's list does not know it.</summary>
        public Code? Find(ReadOnlySpan<byte> utf8)
        {
            if (utf8.Length > ShortBytes)
            {
                return _longLookup.TryGetValue(utf8, out var code) ? code : Add(utf8);
            }

            var key = Pack(utf8);
            var slots = _short;
            var mask = slots.Length - 1;
            for (var i = key.SlotOf(mask); ; i = (i + 1) & mask)
            {
                ref readonly var slot = ref slots[i];
                if (slot.Code is null)
                {
                    return Add(utf8);
                }

                if (slot.Key == key)
                {
                    return slot.Code;
                }
            }
        }

        /// <summary>
        /// A code met for the first time: checked against its list, and kept only if known, so that hostile
        /// bytes never fill the table.
        /// </summary>
        private Code? Add(ReadOnlySpan<byte> utf8)
        {
            var text = Encoding.UTF8.GetString(utf8);
            var id = _shortCount + _long.Count;
            if (!DimensionCodes.IsKnown(Dimension, text, _corridors) || id >= 1 << IdBits)
            {
                return null;
            }

            var code = new Code(id, text, CellBlockCodec.Field(text));
            if (utf8.Length > ShortBytes)
            {
                _long.Add(utf8.ToArray(), code);
                return code;
            }

            if (++_shortCount * 2 > _short.Length)
            {
                var old = _short;
                _short = new Slot[old.Length * 2];
                foreach (var slot in old)
                {
                    if (slot.Code is not null)
                    {
                        Insert(slot);
                    }
                }
            }

            Insert(new Slot(Pack(utf8), code));
            return code;
        }

        private void Insert(Slot slot)
        {
            var mask = _short.Length - 1;
            var i = slot.Key.SlotOf(mask);
            while (_short[i].Code is not null)
            {
                i = (i + 1) & mask;
            }

            _short[i] = slot;
        }

        /// <summary>A short code's bytes, zero-padded, with its length in the last byte (so "A" and "A\0" differ).</summary>
        private static Key Pack(ReadOnlySpan<byte> utf8)
        {
            var length = (ulong)utf8.Length << 56;
            return utf8.Length <= 8
                ? new(Word(utf8, 0), 0, 0, length)
                : new(Word(utf8, 0), Word(utf8, 8), Word(utf8, 16), Word(utf8, 24) | length);
        }

        private static ulong Word(ReadOnlySpan<byte> utf8, int from)
        {
            if (utf8.Length >= from + 8)
            {
                return BinaryPrimitives.ReadUInt64LittleEndian(utf8[from..]);
            }

            ulong value = 0;
            for (var i = utf8.Length - 1; i >= from; i--)
            {
                value = (value << 8) | utf8[i];
            }

            return value;
        }

        private readonly record struct Key(ulong A, ulong B, ulong C, ulong D)
        {
            public int SlotOf(int mask) => (int)((((((A * Mix) ^ B) * Mix) ^ C ^ D) * Mix) >> 40) & mask;
        }

        private readonly record struct Slot(Key Key, Code? Code);
    }

    /// <summary>
    /// The keys of one table's cells, to find a cell that appears twice: emptied for each table of a release
    /// (thousands of them, most small) in constant time by moving to a new generation rather than clearing
    /// its slots, with open addressing and a hash seeded per process so that no node can choose keys that collide.
    /// </summary>
    private sealed class CellKeySet
    {
        private static readonly ulong Seed = (ulong)Random.Shared.NextInt64() | 1;

        private Entry[] _entries = new Entry[256];
        private int _count;
        private int _generation = 1;

        public void Clear()
        {
            _count = 0;
            if (++_generation == int.MaxValue)
            {
                Array.Clear(_entries);
                _generation = 1;
            }
        }

        /// <summary>False when the key is in the set already.</summary>
        public bool Add(UInt128 key)
        {
            if ((_count + 1) * 2 > _entries.Length)
            {
                Grow();
            }

            var entries = _entries;
            var mask = entries.Length - 1;
            for (var i = SlotOf(key, mask); ; i = (i + 1) & mask)
            {
                ref var entry = ref entries[i];
                if (entry.Generation != _generation)
                {
                    entry = new Entry(key, _generation);
                    _count++;
                    return true;
                }

                if (entry.Key == key)
                {
                    return false;
                }
            }
        }

        private void Grow()
        {
            var old = _entries;
            _entries = new Entry[old.Length * 2];
            var mask = _entries.Length - 1;
            foreach (var entry in old)
            {
                if (entry.Generation == _generation)
                {
                    var i = SlotOf(entry.Key, mask);
                    while (_entries[i].Generation == _generation)
                    {
                        i = (i + 1) & mask;
                    }

                    _entries[i] = entry;
                }
            }
        }

        private static int SlotOf(UInt128 key, int mask)
        {
            // The finaliser of MurmurHash3: every bit of the key moves every bit of the slot.
            var hash = ((ulong)key ^ BitOperations.RotateLeft((ulong)(key >> 64), 31)) * Seed;
            hash ^= hash >> 33;
            hash *= 0xFF51AFD7ED558CCD;
            hash ^= hash >> 33;
            return (int)hash & mask;
        }

        private readonly record struct Entry(UInt128 Key, int Generation);
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
