using System.Text;
using Dapper;
using Microsoft.Extensions.Time.Testing;

namespace VrsMsrc.Node.Tests;

[Trait("Category", "Unit")]
public sealed class IncidentImportTests : IDisposable
{
    private const string Header = "ref,detected_on,border_type,context,corridor,nationality,migrants\n";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 6, 15, 12, 0, 0, TimeSpan.Zero));
    private readonly TempNode _node;

    public IncidentImportTests() => _node = new TempNode(time: _time);

    public void Dispose() => _node.Dispose();

    private T Scalar<T>(string sql)
    {
        using var connection = _node.Context.Database.Open(readOnly: true);
        return connection.ExecuteScalar<T>(sql)!;
    }

    [Fact]
    public void Valid_rows_are_stored_with_canonical_codes()
    {
        var summary = _node.Import("a.csv", Header + "r1,2025-03-02,SEA,at_sea,Central_Mediterranean,syr,12\n");
        Assert.Equal(1, summary.Stored);
        Assert.Empty(summary.Problems);
        Assert.Equal("sea|central_mediterranean|SYR|2025-03", Scalar<string>("SELECT border_type || '|' || corridor || '|' || nationality || '|' || month FROM incidents"));
    }

    [Fact]
    public void Every_problem_of_a_row_names_file_line_field_value_and_reason()
    {
        var summary = _node.Import("bad.csv", Header +
            "r1,2025-03-02,sea,at_sea,central_mediterranean,SYR,12\n" +
            "r2,2025-13-01,boat,at_sea,nowhere,ZZZ,-3\n");
        Assert.Equal(1, summary.Stored);
        Assert.Equal(1, summary.RejectedRows);
        var fields = summary.Problems.Select(p => p.Field).Order().ToList();
        Assert.Equal(["border_type", "corridor", "detected_on", "migrants", "nationality"], fields);
        Assert.All(summary.Problems, p => Assert.Equal(("bad.csv", 3L), (p.File, p.Line)));
        var corridor = summary.Problems.Single(p => p.Field == "corridor");
        Assert.Equal("bad.csv:3: corridor 'nowhere': not a corridor code", corridor.ToString());
        Assert.True(File.Exists(summary.RejectsFile));
        Assert.Equal(6, File.ReadAllLines(summary.RejectsFile!).Length);
    }

    [Fact]
    public void Dates_in_the_future_are_refused()
    {
        var summary = _node.Import("f.csv", Header + "r1,2025-06-16,sea,,,,5\nr2,2025-07,sea,,,,5\nr3,2025-06-15,sea,,,,5\n");
        Assert.Equal(1, summary.Stored);
        Assert.Equal(["f.csv:2: detected_on '2025-06-16': is in the future", "f.csv:3: detected_on '2025-07': is in the future"],
            summary.Problems.Select(p => p.ToString()));
    }

    [Fact]
    public void A_column_outside_the_format_refuses_the_whole_file_before_storing_anything()
    {
        var error = Assert.Throws<InvalidDataException>(() => _node.Import("notes.csv", "ref,detected_on,notes\nr1,2025-01-01,\"met at the port\"\n"));
        Assert.StartsWith("notes.csv:1: column 'notes'", error.Message, StringComparison.Ordinal);
        Assert.Equal(0L, Scalar<long>("SELECT COUNT(*) FROM incidents"));
    }

    [Fact]
    public void Free_text_fields_in_json_lines_are_reported_per_row()
    {
        var summary = _node.Import("a.jsonl",
            "{\"ref\":\"r1\",\"detected_on\":\"2025-01-03\",\"migrants\":4}\n" +
            "{\"ref\":\"r2\",\"detected_on\":\"2025-01-03\",\"name\":\"Someone\"}\n" +
            "not json\n");
        Assert.Equal(1, summary.Stored);
        Assert.Equal(2, summary.RejectedRows);
        Assert.Contains(summary.Problems, p => p.Line == 2 && p.Field == "name");
        Assert.Contains(summary.Problems, p => p.Line == 3 && p.Reason.StartsWith("not valid JSON", StringComparison.Ordinal));
    }

    [Fact]
    public void A_ref_twice_in_one_file_is_reported_on_its_second_line()
    {
        var summary = _node.Import("d.csv", Header + "r1,2025-01-01,sea,,,,5\nr1,2025-01-02,sea,,,,6\n");
        Assert.Equal(1, summary.Stored);
        Assert.Equal("d.csv:3: ref 'r1': appears twice in this file (first on line 2)", Assert.Single(summary.Problems).ToString());
    }

    [Fact]
    public void Reimporting_the_same_file_changes_nothing()
    {
        var content = Header + "r1,2025-01-01,sea,,,,5\nr2,2025-02-01,land,,,,7\n";
        _node.Import("same.csv", content);
        _node.Context.Releases().Release();
        var again = _node.Import("same.csv", content);
        Assert.Equal(0, again.Stored);
        Assert.Equal(2, again.Unchanged);
        Assert.Equal(0L, Scalar<long>("SELECT COUNT(*) FROM months WHERE changed = 1"));
        Assert.Null(_node.Context.Releases().Release());
    }

    [Fact]
    public void A_correction_replaces_the_row_keeps_its_record_key_and_marks_both_months_changed()
    {
        _node.Import("a.csv", Header + "r1,2025-01-01,sea,,,,5\n");
        var key = Scalar<long>("SELECT record_key FROM incidents WHERE ref = 'r1'");
        _node.Context.Releases().Release();

        var summary = _node.Import("b.csv", Header + "r1,2025-02-01,land,,,,9\n");

        Assert.Equal(1, summary.Stored);
        Assert.Equal(1L, Scalar<long>("SELECT COUNT(*) FROM incidents"));
        Assert.Equal(key, Scalar<long>("SELECT record_key FROM incidents WHERE ref = 'r1'"));
        Assert.Equal("2025-01,2025-02", Scalar<string>("SELECT group_concat(month) FROM (SELECT month FROM months WHERE changed = 1 ORDER BY month)"));
    }

    [Fact]
    public void Thousands_of_mixed_rows_store_every_good_row_and_report_every_bad_row_once()
    {
        var csv = new StringBuilder(Header);
        var random = new Random(11);
        var bad = new HashSet<int>();
        for (var i = 0; i < 5000; i++)
        {
            var broken = random.Next(5) == 0;
            if (broken)
            {
                bad.Add(i + 2);
            }

            csv.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"r{i},2024-{1 + (i % 12):D2}-01,{(broken ? "hovercraft" : "sea")},at_sea,central_mediterranean,SYR,{i % 50}\n");
        }

        var summary = _node.Import("mixed.csv", csv.ToString());

        Assert.Equal(5000 - bad.Count, summary.Stored);
        Assert.Equal(bad.Count, summary.RejectedRows);
        Assert.Equal(bad.Order(), summary.Problems.Select(p => (int)p.Line).Order());
        Assert.Equal((long)(5000 - bad.Count), Scalar<long>("SELECT COUNT(*) FROM incidents"));
    }
}
