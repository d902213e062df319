using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Storage;
using VrsMsrc.Hub.Trends;

namespace VrsMsrc.Hub.Tests;

[Trait("Category", "Unit")]
public abstract class SeriesEngineTests : IDisposable
{
    private readonly TempHubStore _store;
    private readonly SeriesEngine _engine;

    protected SeriesEngineTests(StoreProvider provider)
    {
        _store = new(provider);
        _engine = new SeriesEngine(_store.Cells);
        _store.Apply(TempHubStore.Release("ITA",
            ("2024-01", 1, "corridors", ["central_mediterranean", "sea"], "migrants", 100),
            ("2024-02", 1, "corridors", ["central_mediterranean", "sea"], "migrants", 120),
            ("2024-02", 1, "corridors", ["western_balkan", "land"], "migrants", 30),
            ("2024-04", 1, "corridors", ["central_mediterranean", "sea"], "migrants", 90)));
        _store.Apply(TempHubStore.Release("GRC",
            ("2024-01", 1, "corridors", ["eastern_mediterranean", "sea"], "migrants", 50),
            // February is released, but none of its corridor cells reached the threshold.
            ("2024-02", 1, "totals", [], "migrants", 11)));
    }

    public void Dispose()
    {
        _store.Dispose();
        GC.SuppressFinalize(this);
    }

    private SeriesResponse Series(string by = "", string period = "month", string from = "", string to = "", string[]? where = null, string table = "corridors")
    {
        var request = new SeriesRequest { Table = table, Measure = "migrants", By = by, Period = period, From = from, To = to };
        request.Where.AddRange(where ?? []);
        return _engine.Series(request, QueryScope.Unrestricted("test"));
    }

    [Fact]
    public void Grouped_by_state_each_state_month_is_a_value_or_says_why_it_is_not()
    {
        var points = Series(by: "state").Points.Select(p => $"{p.Period} {p.Group} {(p.Flag == "" ? p.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) : p.Flag)}").ToList();
        Assert.Equal(
            [
                "2024-01 GRC 50", "2024-01 ITA 100",
                "2024-02 GRC suppressed", "2024-02 ITA 150",
                "2024-03 GRC missing", "2024-03 ITA missing",
                "2024-04 GRC missing", "2024-04 ITA 90",
            ],
            points);
    }

    [Fact]
    public void By_a_dimension_with_a_filter_and_by_quarter()
    {
        var response = Series(by: "corridor", period: "quarter", where: ["border_type=sea"]);
        Assert.Equal(
            ["2024-Q1 central_mediterranean 220", "2024-Q1 eastern_mediterranean 50", "2024-Q2 central_mediterranean 90", "2024-Q2 eastern_mediterranean suppressed"],
            response.Points.Select(p => $"{p.Period} {p.Group} {(p.Flag == "" ? p.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) : p.Flag)}"));
        Assert.Equal(["GRC", "ITA"], response.States);
    }

    [Fact]
    public void A_newer_version_of_a_month_replaces_its_cells_and_an_older_one_is_ignored()
    {
        var newer = _store.Apply(TempHubStore.Release("ITA", ("2024-01", 2, "corridors", ["central_mediterranean", "sea"], "migrants", 70)));
        var older = _store.Apply(TempHubStore.Release("ITA", ("2024-01", 1, "corridors", ["central_mediterranean", "sea"], "migrants", 999)));

        Assert.Equal((ApplyOutcome.Accepted, 1, 0), (newer.Outcome, newer.MonthsApplied, newer.MonthsIgnored));
        Assert.Equal((ApplyOutcome.Accepted, 0, 1), (older.Outcome, older.MonthsApplied, older.MonthsIgnored));
        Assert.Equal(70, Series(by: "state", from: "2024-01", to: "2024-01").Points.Single(p => p.Group == "ITA").Value);
    }

    [Fact]
    public void The_same_release_id_is_a_duplicate_with_the_same_hash_and_a_conflict_with_another()
    {
        var release = TempHubStore.Release("ROU", ("2024-01", 1, "corridors", ["black_sea", "sea"], "migrants", 12));
        Assert.Equal(ApplyOutcome.Accepted, _store.Apply(release, "aa").Outcome);
        Assert.Equal(ApplyOutcome.Duplicate, _store.Apply(release, "aa").Outcome);
        Assert.Equal(ApplyOutcome.Conflict, _store.Apply(release, "bb").Outcome);
    }

    [Theory]
    [InlineData("nope", "migrants", "", "", "unknown table 'nope'")]
    [InlineData("corridors", "fees", "", "", "table corridors has no measure 'fees'")]
    [InlineData("corridors", "migrants", "nationality", "", "cannot group corridors by 'nationality'")]
    [InlineData("corridors", "migrants", "", "corridor; DROP TABLE cells", "filter 'corridor; DROP TABLE cells' must be DIM=VALUE")]
    [InlineData("corridors", "migrants", "dim0) OR 1=1 --", "", "cannot group corridors by 'dim0) OR 1=1 --'")]
    public void Questions_outside_the_catalogue_are_refused_with_the_reason(string table, string measure, string by, string where, string reason)
    {
        var request = new SeriesRequest { Table = table, Measure = measure, By = by };
        if (where.Length > 0)
        {
            request.Where.Add(where);
        }

        var error = Assert.Throws<QueryException>(() => _engine.Series(request, QueryScope.Unrestricted("test")));
        Assert.StartsWith(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sql_in_a_filter_value_is_refused_and_changes_nothing()
    {
        // Values are SQL parameters anyway; since the security work, anything not code-shaped is refused outright.
        var error = Assert.Throws<QueryException>(() => Series(by: "corridor", where: ["corridor=x' OR '1'='1"]));
        Assert.Contains("is not a code", error.Message, StringComparison.Ordinal);
        Assert.Equal(4, Series(by: "state").Points.Count(p => p.Group == "ITA"));
    }
}

[Trait("Category", "Unit")]
public sealed class SeriesEngineTestsOnSqlite() : SeriesEngineTests(StoreProvider.Sqlite);

[Trait("Category", "Unit")]
[Trait("Store", "postgres")]
public sealed class SeriesEngineTestsOnPostgres() : SeriesEngineTests(StoreProvider.Postgres);
