using System.Globalization;
using System.Text;
using CsCheck;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using VrsMsrc.Contracts.CodeLists;

namespace VrsMsrc.Node.Tests;

/// <summary>Property tests: generated valid rows survive the round trip; mutated rows never crash the importer.</summary>
[Trait("Category", "Unit")]
public sealed class ImportPropertyTests
{
    private const string Header = "ref,detected_on,border_type,context,corridor,nationality,origin,destination,transits,migrants,dead_missing";
    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2025, 6, 15, 0, 0, 0, TimeSpan.Zero));

    private static readonly string[] Nationalities = [.. Codes.Nationalities.Entries.Select(e => e.Code).Order(StringComparer.Ordinal)];
    private static readonly string[] Countries = [.. Nationalities.Where(Codes.IsCountry)];
    private static readonly string[] Corridors = [.. Codes.DefaultCorridors.Entries.Select(e => e.Code).Order(StringComparer.Ordinal)];

    private sealed record Row(string Ref, string DetectedOn, string BorderType, string Context, string Corridor, string Nationality,
        string Origin, string Destination, string Transits, long Migrants, long DeadMissing)
    {
        public string Csv => string.Join(',', Ref, DetectedOn, BorderType, Context, Corridor, Nationality, Origin, Destination, Transits,
            Migrants.ToString(CultureInfo.InvariantCulture), DeadMissing.ToString(CultureInfo.InvariantCulture));
    }

    private static readonly Gen<Row> ValidRow =
        from day in Gen.Int[0, 3000]
        from monthly in Gen.Bool
        from border in Gen.OneOf("land", "sea", "air", "LAND", "Sea")
        from context in Gen.OneOf([.. Codes.Contexts.Entries.Select(e => e.Code)])
        from corridor in Gen.OneOf(Corridors)
        from nationality in Gen.OneOf(Nationalities)
        from origin in Gen.OneOf(Countries)
        from destination in Gen.OneOf(Countries)
        from transits in Gen.OneOf(Countries).Array[0, 3]
        from migrants in Gen.Long[0, 5000]
        from dead in Gen.Long[0, 50]
        let date = new DateOnly(2017, 1, 1).AddDays(day)
        select new Row("", monthly ? date.ToString("yyyy-MM", CultureInfo.InvariantCulture) : date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            border, context, corridor, nationality, origin, destination, string.Join(';', transits), migrants, dead);

    private static readonly Gen<Row[]> ValidRows = ValidRow.Array[1, 40].Select(rows => rows.Select((r, i) => r with { Ref = $"p{i}" }).ToArray());

    [Fact]
    public void Valid_rows_are_stored_exactly_with_canonical_codes()
    {
        ValidRows.Sample(rows =>
        {
            using var node = new TempNode(time: Clock);
            var summary = node.Import("valid.csv", Header + "\n" + string.Join('\n', rows.Select(r => r.Csv)) + "\n");
            Assert.Empty(summary.Problems);
            Assert.Equal(rows.Length, summary.Stored);
            using var connection = node.Context.Database.Open(readOnly: true);
            var stored = connection.Query<(string Ref, string DetectedOn, string BorderType, string Context, string Corridor, string Nationality, string Origin, string Destination, string? Transits, long Migrants, long DeadMissing)>(
                "SELECT ref, detected_on, border_type, context, corridor, nationality, origin, destination, transits, migrants, dead_missing FROM incidents")
                .ToDictionary(r => r.Ref);
            foreach (var row in rows)
            {
                var s = stored[row.Ref];
                Assert.Equal(
                    (row.DetectedOn, row.BorderType.ToLowerInvariant(), row.Context, row.Corridor, row.Nationality, row.Origin, row.Destination,
                        row.Transits.Length == 0 ? null : row.Transits, row.Migrants, row.DeadMissing),
                    (s.DetectedOn, s.BorderType, s.Context, s.Corridor, s.Nationality, s.Origin, s.Destination, s.Transits, s.Migrants, s.DeadMissing));
            }
        }, iter: 25);
    }

    /// <summary>One field of one row replaced, cut, doubled or salted with separators and quotes.</summary>
    private static readonly Gen<(Row[] Rows, int Row, int Field, string Value)> Mutated =
        from rows in ValidRows
        from row in Gen.Int[0, rows.Length - 1]
        from field in Gen.Int[0, 10]
        from value in Gen.OneOf(
            Gen.String,
            Gen.Char.Array[0, 8].Select(c => new string(c)),
            Gen.OneOf("", "-1", "1e9", "99999999999999", "NaN", "2031-01-01", "2024-02-30", "\"", ",", "a\"b", "\"x,y\"", ";;", "SYR;ZZZ", "null", "ü", "\t"))
        select (rows, row, field, value);

    [Fact]
    public void Mutated_rows_are_either_stored_or_reported_and_never_crash_the_importer()
    {
        Mutated.Sample(m =>
        {
            using var node = new TempNode(time: Clock);
            var lines = m.Rows.Select(r => r.Csv.Split(',')).ToArray();
            lines[m.Row][m.Field] = m.Value;
            var csv = new StringBuilder(Header).Append('\n');
            foreach (var line in lines)
            {
                csv.Append(string.Join(',', line)).Append('\n');
            }

            Ingest.ImportSummary summary;
            try
            {
                summary = node.Import("mutated.csv", csv.ToString());
            }
            catch (InvalidDataException e)
            {
                // Only a quote left open to the end of the file refuses the file as a whole, and says where.
                Assert.Contains("quoted field is not closed", e.Message, StringComparison.Ordinal);
                return;
            }

            using var connection = node.Context.Database.Open(readOnly: true);
            var stored = connection.ExecuteScalar<long>("SELECT COUNT(*) FROM incidents");
            Assert.Equal(summary.Stored, stored);
            Assert.True(summary.Stored + summary.RejectedRows >= m.Rows.Length - 1,
                $"rows neither stored nor reported: {summary.Stored} stored, {summary.RejectedRows} rejected of {m.Rows.Length}");
            Assert.All(summary.Problems, p => Assert.False(string.IsNullOrEmpty(p.Reason)));
        }, iter: 150);
    }
}
