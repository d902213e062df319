using VrsMsrc.Contracts.CodeLists;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Exchange;

namespace VrsMsrc.Hub.Tests;

[Trait("Category", "Unit")]
public sealed class ReleaseValidatorTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 15, 12, 0, 0, TimeSpan.Zero);
    private static readonly IReadOnlySet<string> Corridors = Codes.DefaultCorridors.Entries.Select(e => e.Code).ToHashSet();

    private static Release Flows(string month, params string[][] dims) =>
        TempHubStore.Release("ITA", [.. dims.Select(d => (month, 1L, "flows", d, "migrants", 20L))]);

    private static string? Problem(Release release, DateTimeOffset? now = null) => ReleaseValidator.Problem(release, Corridors, now ?? Now);

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
}
