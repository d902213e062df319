using Dapper;
using Microsoft.Extensions.Time.Testing;

namespace VrsMsrc.Node.Tests;

[Trait("Category", "Unit")]
public sealed class PersonImportTests : IDisposable
{
    private const string Incidents = "ref,detected_on,border_type,corridor,nationality,migrants,facilitators\n";
    private const string Migrants = "incident_ref,nationality,sex,age_band,unaccompanied,fee_amount,fee_currency,fee_scope,payment_method,outcome,count\n";
    private readonly TempNode _node = new(time: new FakeTimeProvider(new DateTimeOffset(2025, 6, 15, 0, 0, 0, TimeSpan.Zero)));

    public PersonImportTests() =>
        _node.Import("i.csv", Incidents + "i1,2025-01-05,sea,central_mediterranean,SYR,5,\ni2,2025-02-05,land,western_balkan,,,2\ni3,2025-03-05,sea,,,,\n");

    public void Dispose() => _node.Dispose();

    private List<(string Ref, long Ordinal, long Key, long Count, string? Nationality)> Rows(string table = "migrants")
    {
        using var connection = _node.Context.Database.Open(readOnly: true);
        return connection.Query<(string, long, long, long, string?)>(
            $"SELECT incident_ref, ordinal, record_key, count, nationality FROM {table} ORDER BY incident_ref, ordinal").ToList();
    }

    [Fact]
    public void Migrant_rows_are_stored_with_counts_and_every_field_checked()
    {
        var summary = _node.Import("m.csv", Migrants +
            "i1,AFG,male,18-24,false,2500,EUR,full_journey,cash,asylum_claim,3\n" +
            "i1,afg,female,14-17,true,,,,,detained,2\n" +
            "i3,XXX,unknown,99,maybe,-5,EURO,half,gold,fled,0\n", "migrants");

        Assert.Equal(2, summary.Stored);
        Assert.Equal(1, summary.RejectedRows);
        Assert.Equal(
            ["age_band", "count", "fee_amount", "fee_currency", "fee_scope", "outcome", "payment_method", "sex", "unaccompanied"],
            summary.Problems.Select(p => p.Field).Order());
        Assert.Equal([("i1", 0L, 3L, "AFG"), ("i1", 1L, 2L, "AFG")], Rows().Select(r => (r.Ref, r.Ordinal, r.Count, r.Nationality)));
    }

    [Fact]
    public void Rows_of_an_incident_that_is_not_stored_are_rejected()
    {
        var summary = _node.Import("m.csv", Migrants + "nope,SYR,,,,,,,,,1\n", "migrants");
        var problem = Assert.Single(summary.Problems);
        Assert.Equal("m.csv:2: incident_ref 'nope': not a stored incident: import the incident first", problem.ToString());
        Assert.Empty(Rows());
    }

    [Fact]
    public void Migrant_rows_must_add_up_to_the_incidents_migrants_figure()
    {
        var summary = _node.Import("m.csv", Migrants + "i1,SYR,,,,,,,,,3\ni1,SYR,,,,,,,,,1\ni2,SYR,,,,,,,,,4\n", "migrants");
        Assert.Equal(1, summary.Stored);
        Assert.Equal(2, summary.RejectedRows);
        Assert.All(summary.Problems, p => Assert.Contains("migrants is 5 but its valid migrant rows add up to 4", p.Reason, StringComparison.Ordinal));
        Assert.Equal(["i2"], Rows().Select(r => r.Ref));
    }

    [Fact]
    public void An_incident_correction_that_contradicts_its_migrant_rows_is_rejected()
    {
        _node.Import("m.csv", Migrants + "i1,SYR,,,,,,,,,5\n", "migrants");
        var summary = _node.Import("fix.csv", Incidents + "i1,2025-01-05,sea,central_mediterranean,SYR,7,\n");
        Assert.Equal("migrants", Assert.Single(summary.Problems).Field);
        var empty = _node.Import("fix2.csv", Incidents + "i1,2025-01-06,sea,central_mediterranean,SYR,,\n");
        Assert.Equal(1, empty.Stored);
    }

    [Fact]
    public void Reimporting_an_incidents_rows_replaces_them_by_position_and_keeps_each_positions_record_key()
    {
        _node.Import("m.csv", Migrants + "i2,SYR,,,,,,,,,1\ni2,AFG,,,,,,,,,1\ni2,IRQ,,,,,,,,,1\n", "migrants");
        var before = Rows();
        _node.Context.Releases().Release();

        var same = _node.Import("m.csv", Migrants + "i2,SYR,,,,,,,,,1\ni2,AFG,,,,,,,,,1\ni2,IRQ,,,,,,,,,1\n", "migrants");
        Assert.Equal((0, 3), (same.Stored, same.Unchanged));
        Assert.Null(_node.Context.Releases().Release());

        var corrected = _node.Import("m2.csv", Migrants + "i2,SYR,,,,,,,,,1\ni2,PAK,,,,,,,,,2\n", "migrants");
        Assert.Equal((1, 1), (corrected.Stored, corrected.Unchanged));
        var after = Rows();
        Assert.Equal([("SYR", before[0].Key), ("PAK", before[1].Key)], after.Select(r => (r.Nationality!, r.Key)));
        Assert.Equal("2025-02", Assert.Single(_node.Context.Releases().Release()!.Release.Months).Month);
    }

    [Fact]
    public void Facilitator_rows_in_json_lines()
    {
        var summary = _node.Import("f.jsonl",
            "{\"incident_ref\":\"i2\",\"nationality\":\"TUR\",\"role\":\"organiser\",\"cj_stage\":\"convicted\",\"sex\":\"male\",\"age_band\":\"35-49\"}\n" +
            "{\"incident_ref\":\"i2\",\"role\":\"boat_captain\",\"count\":2}\n", "facilitators");
        Assert.Equal(1, summary.Stored);
        Assert.Equal("f.jsonl:2: role 'boat_captain': not a role code", Assert.Single(summary.Problems).ToString());
        Assert.Equal(("i2", "TUR"), Rows("facilitators").Select(r => (r.Ref, r.Nationality!)).Single());
    }

    [Fact]
    public void Deleting_an_incident_removes_its_person_rows_and_releases_its_month_again()
    {
        _node.Import("m.csv", Migrants + "i1,SYR,,,,,,,,,5\n", "migrants");
        _node.Context.Releases().Release();

        var (deleted, unknown) = _node.Context.Importer().Delete(["i1", "missing"]);

        Assert.Equal(1, deleted);
        Assert.Equal(["missing"], unknown);
        Assert.Empty(Rows());
        var month = Assert.Single(_node.Context.Releases().Release()!.Release.Months);
        Assert.Equal("2025-01", month.Month);
        Assert.All(month.Tables, t => Assert.Empty(t.Cells));
    }

    [Fact]
    public void Migrant_rows_count_in_the_release_instead_of_the_incident_figure()
    {
        _node.Import("big.csv", Incidents + "b1,2025-04-02,sea,central_mediterranean,SYR,,\n");
        _node.Import("m.csv", Migrants + "b1,AFG,,,,,,,,,30\nb1,SYR,,,,,,,,,25\n", "migrants");

        var month = _node.Context.Releases().Release()!.Release.Months.Single(m => m.Month == "2025-04");
        var flows = month.Tables.Single(t => t.Table == "flows").Cells;

        Assert.Equal(["AFG", "SYR"], flows.Select(c => c.Dims[0]).Order());
        Assert.InRange(flows.Single(c => c.Dims[0] == "AFG").Value, 25, 35);
    }
}
