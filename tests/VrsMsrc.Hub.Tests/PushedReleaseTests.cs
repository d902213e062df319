using CsCheck;
using Google.Protobuf;
using VrsMsrc.Contracts.Catalogue;
using VrsMsrc.Contracts.CodeLists;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Exchange;
using VrsMsrc.Hub.Storage;

namespace VrsMsrc.Hub.Tests;

[Trait("Category", "Unit")]
public sealed class PushedReleaseTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 15, 12, 0, 0, TimeSpan.Zero);
    private static readonly IReadOnlySet<string> Corridors = Codes.DefaultCorridors.Entries.Select(e => e.Code).ToHashSet();

    private static Release Flows(string month, params string[][] dims) =>
        TempHubStore.Release("ITA", [.. dims.Select(d => (month, 1L, "flows", d, "migrants", 20L))]);

    private static string? Problem(Release release, DateTimeOffset? now = null) =>
        PushedRelease.Read(release.ToByteArray(), Corridors, now ?? Now).TryCheck(out _, out var problem) ? null : problem;

    private static CheckedRelease? Check(byte[] payload) =>
        PushedRelease.Read(payload, Corridors, Now).TryCheck(out var release, out _) ? release : null;

    /// <summary>Every cell of a checked release, decoded from its stored blocks, in one comparable order.</summary>
    private static List<string> StoredCells(CheckedRelease release) =>
        [.. release.Months.SelectMany(m => m.Tables.SelectMany(t =>
                CellBlockCodec.Decode(t.Block.Span, release.State, m.Month, ReleaseCatalogue.Find(t.Table)!.Dimensions.Count, m.Version, new StringPool())
                    .ByMeasure.SelectMany(c => c.Value.Select(cell => $"{m.Month} v{m.Version} {t.Table} {c.Key} [{string.Join(",", cell.Dims)}] = {cell.Value}"))))
            .Order(StringComparer.Ordinal)];

    /// <summary>The same, from the message as Google.Protobuf parses it.</summary>
    private static List<string> MessageCells(Release release) =>
        [.. release.Months.SelectMany(m => m.Tables.SelectMany(t =>
                t.Cells.Select(cell => $"{m.Month} v{m.Version} {t.Table} {cell.Measure} [{string.Join(",", cell.Dims)}] = {cell.Value}")))
            .Order(StringComparer.Ordinal)];

    [Fact]
    public void A_well_formed_release_passes()
    {
        Assert.Null(Problem(Flows("2025-05", ["SYR", "sea", "at_sea", "central_mediterranean"], ["AFG", "land", "inland", "unknown"])));
    }

    [Theory]
    [InlineData("ZZZ", "sea", "at_sea", "central_mediterranean", "unknown nationality code 'ZZZ'")]
    [InlineData("syr", "sea", "at_sea", "central_mediterranean", "unknown nationality code 'syr'")]
    [InlineData("SYR", "space", "at_sea", "central_mediterranean", "unknown border_type code 'space'")]
    [InlineData("SYR", "sea", "at_sea", "atlantis_route", "unknown corridor code 'atlantis_route'")]
    public void Unknown_codes_are_refused_by_name(string nationality, string border, string context, string corridor, string reason)
    {
        Assert.Contains(reason, Problem(Flows("2025-05", [nationality, border, context, corridor])), StringComparison.Ordinal);
    }

    [Fact]
    public void Tables_and_measures_outside_the_catalogue_are_refused()
    {
        var release = Flows("2025-05", ["SYR", "sea", "at_sea", "central_mediterranean"]);
        release.Months[0].Tables.Add(new TableCells { Table = "passports" });
        Assert.Equal("2025-05 passports: not a table of the release catalogue", Problem(release));

        var measure = Flows("2025-05", ["SYR", "sea", "at_sea", "central_mediterranean"]);
        measure.Months[0].Tables.Single(t => t.Table == "flows").Cells[0].Measure = "names";
        Assert.Equal("2025-05 flows: unknown measure 'names'", Problem(measure));
    }

    [Fact]
    public void A_month_in_the_future_is_refused_but_a_node_clock_a_little_ahead_is_not()
    {
        Assert.Equal("month 2025-07 is in the future", Problem(Flows("2025-07", ["SYR", "sea", "at_sea", "central_mediterranean"])));
        // 23:30 on the last day of June at the hub; the node already lives in July.
        Assert.Null(Problem(Flows("2025-07", ["SYR", "sea", "at_sea", "central_mediterranean"]), new DateTimeOffset(2025, 6, 30, 23, 30, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void A_cell_or_table_given_twice_is_refused_rather_than_half_applied()
    {
        var cell = new[] { "SYR", "sea", "at_sea", "central_mediterranean" };
        Assert.Equal("2025-05 flows: the cell migrants (SYR, sea, at_sea, central_mediterranean) appears twice", Problem(Flows("2025-05", cell, cell)));

        var release = Flows("2025-05", cell);
        release.Months[0].Tables.Add(release.Months[0].Tables.Single(t => t.Table == "flows").Clone());
        Assert.Equal("2025-05 flows: the table appears twice", Problem(release));
    }

    /// <summary>Codes are found by their packed bytes and length (short) or in a dictionary (long): near misses of known codes must not pass.</summary>
    [Theory]
    [InlineData("SY", "nationality")]
    [InlineData("SYRA", "nationality")]
    [InlineData("SYR\u0000", "nationality")]
    [InlineData("central_mediterraneaN", "corridor")]
    [InlineData("central_mediterranean\u0000", "corridor")]
    [InlineData("central_mediterranean_central_mediterranean", "corridor")]
    public void Codes_are_told_apart_by_every_byte_and_their_length(string code, string dimension)
    {
        var cell = dimension == "corridor" ? new[] { "SYR", "sea", "at_sea", code } : [code, "sea", "at_sea", "central_mediterranean"];
        var known = new[] { "SYR", "sea", "at_sea", "central_mediterranean" };
        Assert.Equal($"2025-05 flows: unknown {dimension} code '{code}'", Problem(Flows("2025-05", known, cell)));
    }

    /// <summary>Every code of the lists in one release (the code tables grow), each stored as sent.</summary>
    [Fact]
    public void Every_known_code_is_found_however_many_a_release_carries()
    {
        var nationalities = Codes.Nationalities.Entries.Select(e => e.Code).ToList();
        var corridors = Corridors.Order(StringComparer.Ordinal).ToList();
        var release = Flows("2025-05", [.. nationalities.Select((n, i) => new[] { n, "sea", "at_sea", corridors[i % corridors.Count] })]);
        var payload = release.ToByteArray();

        Assert.Equal(MessageCells(release), StoredCells(Check(payload)!));
    }

    /// <summary>Duplicates are looked for per table: the set of a table's cells grows with a large table and is emptied for the next.</summary>
    [Fact]
    public void A_cell_given_twice_is_found_among_hundreds_but_the_same_cell_in_another_month_is_not_a_duplicate()
    {
        var cells = Codes.Nationalities.Entries.Take(200).SelectMany(n => new[] { new[] { n.Code, "sea", "at_sea", "central_mediterranean" }, [n.Code, "land", "inland", "unknown"] }).ToList();
        Assert.Equal("2025-05 flows: the cell migrants (AFG, sea, at_sea, central_mediterranean) appears twice",
            Problem(Flows("2025-05", [.. cells, cells.First(c => c[0] == "AFG")])));

        var twoMonths = Flows("2025-04", [.. cells]);
        twoMonths.Months.Add(Flows("2025-05", [.. cells]).Months[0]);
        Assert.Null(Problem(twoMonths));
    }

    [Fact]
    public void A_month_without_tables_is_refused_since_it_would_replace_the_month_with_nothing()
    {
        var release = TempHubStore.Release("ITA", ("2025-05", 2, "totals", [], "migrants", 20));
        release.Months[0].Tables.Clear();
        Assert.Equal("month 2025-05 carries no tables", Problem(release));
    }

    [Theory]
    [InlineData("2025-13", 1, "month '2025-13' is not YYYY-MM")]
    [InlineData("2025-05", 0, "month 2025-05 has version 0; versions start at 1")]
    public void Months_must_be_real_and_versions_positive(string month, long version, string reason)
    {
        var release = TempHubStore.Release("ITA", (month, version, "totals", [], "migrants", 20));
        Assert.Equal(reason, Problem(release));
    }

    [Fact]
    public void Another_schema_is_refused()
    {
        var release = Flows("2025-05", ["SYR", "sea", "at_sea", "central_mediterranean"]);
        release.SchemaVersion = 2;
        Assert.Equal("release schema version 2 is not supported (hub speaks 1)", Problem(release));
    }

    private static readonly string[] Nationalities = ["SYR", "AFG", "MAR", "unknown", "XXA"];

    private static readonly Gen<Release> ValidReleases =
        from months in Gen.Int[0, 131].Array[1, 6]
        from flows in Gen.Select(Gen.OneOf(Nationalities), Gen.OneOf("land", "sea", "air"), Gen.OneOf([.. Codes.Contexts.Entries.Select(e => e.Code)]),
            Gen.OneOf([.. Corridors]), Gen.Long[0, 100_000]).Array[0, 40]
        from totals in Gen.Long[0, long.MaxValue].Array[0, 4]
        from version in Gen.Long[1, long.MaxValue]
        select Build(months, flows, totals, version);

    private static Release Build(int[] months, (string, string, string, string, long)[] flows, long[] totals, long version)
    {
        var release = new Release { ReleaseId = Guid.CreateVersion7().ToString(), State = "ITA", SchemaVersion = 1 };
        foreach (var month in months.Distinct())
        {
            var flowTable = new TableCells { Table = "flows" };
            flowTable.Cells.AddRange(flows.DistinctBy(f => (f.Item1, f.Item2, f.Item3, f.Item4))
                .Select(f => new Cell { Measure = "migrants", Value = f.Item5, Dims = { f.Item1, f.Item2, f.Item3, f.Item4 } }));
            var totalTable = new TableCells { Table = "totals" };
            totalTable.Cells.AddRange(totals.Zip(ReleaseCatalogue.Totals.Measures, (value, measure) => new Cell { Measure = measure, Value = value }));
            release.Months.Add(new MonthRelease { Month = $"{2014 + (month / 12)}-{(month % 12) + 1:00}", Version = version, Tables = { totalTable, flowTable } });
        }

        return release;
    }

    [Fact]
    public void Every_valid_release_is_stored_with_exactly_its_cells()
    {
        ValidReleases.Sample(release =>
        {
            var checkedRelease = Check(release.ToByteArray());
            Assert.NotNull(checkedRelease);
            Assert.Equal((release.ReleaseId, release.State), (checkedRelease.ReleaseId, checkedRelease.State));
            Assert.Equal(release.Months.Select(m => (m.Month, m.Version, m.Tables.Count)), checkedRelease.Months.Select(m => (m.Month, m.Version, m.Tables.Count)));
            Assert.Equal(MessageCells(release), StoredCells(checkedRelease));
        }, iter: 300);
    }

    /// <summary>
    /// Hostile bytes (a valid release with bytes changed, cut or inserted) end in a malformed-release error or
    /// a refusal, never in another exception; and whatever is accepted is what Google.Protobuf reads from the
    /// same bytes, so reading the wire by hand changes no release's meaning.
    /// </summary>
    [Fact]
    public void Mutated_bytes_are_refused_or_read_as_protobuf_reads_them()
    {
        MutatedPayloads.Sample(payload =>
        {
            CheckedRelease? accepted;
            try
            {
                accepted = Check(payload);
            }
            catch (MalformedReleaseException)
            {
                return;
            }

            if (accepted is not null)
            {
                var parsed = Release.Parser.ParseFrom(payload);
                Assert.Equal(MessageCells(parsed), StoredCells(accepted));
                Assert.Equal(parsed.Months.Select(m => (m.Month, m.Version)), accepted.Months.Select(m => (m.Month, m.Version)));
            }
        }, iter: 3000);
    }

    /// <summary>
    /// The hub reads a push while it arrives: however the bytes are cut into chunks, valid or mutated, the
    /// outcome (the cells stored, or the refusal and its reason) is the one of reading them whole. The reader
    /// fed in chunks checks every batch of two months or more on two threads (as the hub does past
    /// <see cref="PushedRelease.ParallelBytes"/>), the one reading whole on one: the two ways agree too.
    /// </summary>
    [Fact]
    public void A_payload_read_as_it_arrives_ends_as_one_read_whole()
    {
        var cutUp =
            from payload in Gen.OneOf(ValidReleases.Select(r => r.ToByteArray()), MutatedPayloads)
            from cuts in Gen.Int[0, Math.Max(0, payload.Length - 1)].Array[0, 12]
            select (payload, cuts);
        cutUp.Sample(sample =>
        {
            var whole = new PushedRelease(Corridors, Now);
            whole.Complete(sample.payload);
            var streamed = new PushedRelease(Corridors, Now, parallelBytes: 0);
            foreach (var cut in sample.cuts.Order())
            {
                streamed.Advance(sample.payload.AsMemory(0, cut));
            }

            streamed.Complete(sample.payload);
            Assert.Equal(Outcome(whole), Outcome(streamed));
        }, iter: 2000);

        static string Outcome(PushedRelease pushed)
        {
            try
            {
                pushed.ThrowIfMalformed();
                return pushed.TryCheck(out var release, out var problem)
                    ? $"{release.ReleaseId} {release.State}: {string.Join(" | ", StoredCells(release))}"
                    : $"{pushed.ReleaseId} {pushed.State} refused: {problem}";
            }
            catch (MalformedReleaseException e)
            {
                return $"malformed: {e.Message}";
            }
        }
    }

    /// <summary>Valid releases with one to four bytes changed, inserted or cut out.</summary>
    private static readonly Gen<byte[]> MutatedPayloads =
        from release in ValidReleases
        from edits in Gen.Select(Gen.Int[0, 2], Gen.Int, Gen.Byte).Array[1, 4]
        select Mutate(release.ToByteArray(), edits);

    private static byte[] Mutate(byte[] payload, (int Kind, int At, byte Value)[] edits)
    {
        var bytes = payload.ToList();
        foreach (var (kind, at, value) in edits)
        {
            var position = bytes.Count == 0 ? 0 : Math.Abs(at % bytes.Count);
            switch (kind)
            {
                case 0 when bytes.Count > 0: bytes[position] = value; break;
                case 1: bytes.Insert(position, value); break;
                default: bytes.RemoveRange(position, Math.Min(bytes.Count - position, 1 + (value % 8))); break;
            }
        }

        return [.. bytes];
    }

    [Fact]
    public void Fields_are_read_wherever_they_stand_and_unknown_ones_are_skipped()
    {
        // A cell with its value first and an unknown field of every wire type; its table's name after the cells;
        // the month's number and version after its tables; the release's header after its months.
        var cell = Message(w =>
        {
            w.WriteTag(3, WireFormat.WireType.Varint); w.WriteInt64(17);
            w.WriteTag(9, WireFormat.WireType.Fixed64); w.WriteFixed64(1);
            w.WriteTag(1, WireFormat.WireType.LengthDelimited); w.WriteString("SYR");
            w.WriteTag(10, WireFormat.WireType.Fixed32); w.WriteFixed32(1);
            w.WriteTag(1, WireFormat.WireType.LengthDelimited); w.WriteString("sea");
            w.WriteTag(1, WireFormat.WireType.LengthDelimited); w.WriteString("at_sea");
            w.WriteTag(11, WireFormat.WireType.LengthDelimited); w.WriteString("ignored");
            w.WriteTag(1, WireFormat.WireType.LengthDelimited); w.WriteString("central_mediterranean");
            w.WriteTag(2, WireFormat.WireType.LengthDelimited); w.WriteString("migrants");
            w.WriteTag(3, WireFormat.WireType.LengthDelimited); w.WriteString("a value of the wrong wire type is an unknown field");
        });
        var table = Message(w => { w.WriteTag(2, WireFormat.WireType.LengthDelimited); w.WriteBytes(cell); w.WriteTag(1, WireFormat.WireType.LengthDelimited); w.WriteString("flows"); });
        var month = Message(w =>
        {
            w.WriteTag(3, WireFormat.WireType.LengthDelimited); w.WriteBytes(table);
            w.WriteTag(1, WireFormat.WireType.LengthDelimited); w.WriteString("2025-05");
            w.WriteTag(2, WireFormat.WireType.Varint); w.WriteInt64(3);
        });
        var id = Guid.CreateVersion7().ToString();
        var payload = Message(w =>
        {
            w.WriteTag(5, WireFormat.WireType.LengthDelimited); w.WriteBytes(month);
            w.WriteTag(2, WireFormat.WireType.LengthDelimited); w.WriteString("ITA");
            w.WriteTag(3, WireFormat.WireType.Varint); w.WriteInt32(1);
            w.WriteTag(1, WireFormat.WireType.LengthDelimited); w.WriteString(id);
        }).ToByteArray();

        var release = Check(payload);
        Assert.NotNull(release);
        Assert.Equal((id, "ITA"), (release.ReleaseId, release.State));
        Assert.Equal(["2025-05 v3 flows migrants [SYR,sea,at_sea,central_mediterranean] = 17"], StoredCells(release));
        Assert.Equal(MessageCells(Release.Parser.ParseFrom(payload)), StoredCells(release));
    }

    [Theory]
    [InlineData(new byte[] { 0x2A, 0x05, 0x0A }, "a field is longer than the message around it")]
    [InlineData(new byte[] { 0x18, 0x80 }, "the message ends inside a number")]
    [InlineData(new byte[] { 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, "a number is longer than ten bytes")]
    [InlineData(new byte[] { 0x00 }, "invalid field number 0")]
    [InlineData(new byte[] { 0x0B }, "wire type 3 does not occur in a release")]
    [InlineData(new byte[] { 0x09, 0x01 }, "the message ends inside a field")]
    public void Broken_wire_format_is_named(byte[] payload, string reason)
    {
        Assert.Equal(reason, Assert.Throws<MalformedReleaseException>(() => PushedRelease.Read(payload, Corridors, Now)).Message);
    }

    [Fact]
    public void A_broken_cell_inside_a_well_formed_header_is_found_when_checked()
    {
        var table = Message(w => { w.WriteTag(1, WireFormat.WireType.LengthDelimited); w.WriteString("totals"); w.WriteTag(2, WireFormat.WireType.LengthDelimited); w.WriteBytes(ByteString.CopyFrom(0x1A, 0x7F)); });
        var month = Message(w => { w.WriteTag(1, WireFormat.WireType.LengthDelimited); w.WriteString("2025-05"); w.WriteTag(2, WireFormat.WireType.Varint); w.WriteInt64(1); w.WriteTag(3, WireFormat.WireType.LengthDelimited); w.WriteBytes(table); });
        var payload = Message(w => { w.WriteTag(2, WireFormat.WireType.LengthDelimited); w.WriteString("ITA"); w.WriteTag(3, WireFormat.WireType.Varint); w.WriteInt32(1); w.WriteTag(5, WireFormat.WireType.LengthDelimited); w.WriteBytes(month); });
        var pushed = PushedRelease.Read(payload.ToByteArray(), Corridors, Now);
        Assert.Equal("ITA", pushed.State);
        Assert.Equal("a field is longer than the message around it", Assert.Throws<MalformedReleaseException>(() => pushed.TryCheck(out _, out _)).Message);
    }

    private static ByteString Message(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
        {
            write(output);
        }

        return ByteString.CopyFrom(buffer.ToArray());
    }
}
