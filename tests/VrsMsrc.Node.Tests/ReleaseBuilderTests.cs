using VrsMsrc.Contracts.Catalogue;
using Dapper;
using Microsoft.Extensions.Time.Testing;

namespace VrsMsrc.Node.Tests;

[Trait("Category", "Unit")]
public sealed class ReleaseBuilderTests : IDisposable
{
    private const string Header = "ref,detected_on,border_type,corridor,nationality,migrants\n";
    private readonly TempNode _node = new(time: new FakeTimeProvider(new DateTimeOffset(2025, 6, 15, 0, 0, 0, TimeSpan.Zero)));

    public void Dispose() => _node.Dispose();

    private static string Rows(string month, int count, string prefix) =>
        string.Concat(Enumerable.Range(0, count).Select(i => $"{prefix}{i},{month}-0{1 + (i % 9)},sea,central_mediterranean,SYR,{5 + i}\n"));

    [Fact]
    public void A_release_covers_the_changed_months_with_every_table_and_is_enqueued_with_them_marked()
    {
        _node.Import("a.csv", Header + Rows("2025-01", 20, "a") + Rows("2025-02", 20, "b"));

        var built = _node.Context.Releases().Release()!;

        Assert.Equal(["2025-01", "2025-02"], built.Release.Months.Select(m => m.Month));
        Assert.All(built.Release.Months, m => Assert.Equal(1, m.Version));
        Assert.All(built.Release.Months, m => Assert.Equal(ReleaseCatalogue.All.Select(t => t.Name), m.Tables.Select(t => t.Table)));
        Assert.Equal(1, _node.Context.Outbox.Counts().Pending);
        Assert.Null(_node.Context.Releases().Release());
    }

    [Fact]
    public void After_a_correction_only_its_month_is_released_again_under_a_new_version()
    {
        _node.Import("a.csv", Header + Rows("2025-01", 20, "a") + Rows("2025-02", 20, "b"));
        _node.Context.Releases().Release();

        _node.Import("fix.csv", Header + "b3,2025-02-04,sea,central_mediterranean,SYR,40\n");
        var built = _node.Context.Releases().Release()!;

        var month = Assert.Single(built.Release.Months);
        Assert.Equal(("2025-02", 2L), (month.Month, month.Version));
    }

    [Fact]
    public void Preview_shows_exactly_what_the_release_then_sends_and_enqueues_nothing()
    {
        _node.Import("a.csv", Header + Rows("2025-01", 30, "a"));

        var preview = _node.Context.Releases().Preview()!;
        Assert.Equal(0, _node.Context.Outbox.Counts().Pending);
        var built = _node.Context.Releases().Release()!;

        Assert.Equal(Cells(preview.Release), Cells(built.Release));
    }

    [Fact]
    public void Published_totals_are_within_D_of_the_true_sums()
    {
        _node.Import("a.csv", Header + Rows("2025-01", 30, "a"));
        using var connection = _node.Context.Database.Open(readOnly: true);
        var truth = connection.ExecuteScalar<long>("SELECT SUM(migrants) FROM incidents");

        var totals = _node.Context.Releases().Release()!.Release.Months[0].Tables.Single(t => t.Table == "totals");

        Assert.InRange(totals.Cells.Single(c => c.Measure == "migrants").Value, truth - 5, truth + 5);
        Assert.InRange(totals.Cells.Single(c => c.Measure == "incidents").Value, 30 - 5, 30 + 5);
    }

    [Fact]
    public void Months_built_side_by_side_publish_exactly_what_each_month_built_alone_publishes()
    {
        // Six months: a release of four or more months is summed by parallel workers on their own
        // connections; a release of one month, and any preview, on the builder's own connection.
        var months = Enumerable.Range(1, 6).Select(m => $"2025-0{m}").ToList();
        var incidents = new System.Text.StringBuilder("ref,detected_on,border_type,context,transport_mode,corridor,nationality,origin,destination,transits,dead_missing\n");
        var migrants = new System.Text.StringBuilder("incident_ref,nationality,sex,age_band,unaccompanied,fee_amount,fee_currency,count\n");
        var random = new Random(3);
        string[] nationalities = ["SYR", "AFG", "ERI"];
        foreach (var (month, m) in months.Select((month, m) => (month, m)))
        {
            for (var i = 0; i < 40; i++)
            {
                incidents.Append(System.FormattableString.Invariant(
                    $"r{m}-{i},{month}-0{1 + (i % 9)},sea,at_sea,maritime,central_mediterranean,{nationalities[i % 3]},LBY,ITA,{(i % 2 == 0 ? "TUN" : "")},{i % 5}\n"));
                for (var j = 0; j < 1 + random.Next(4); j++)
                {
                    var fee = random.Next(2) == 0 ? $"{100 + random.Next(5000)},EUR" : ",";
                    migrants.Append(System.FormattableString.Invariant(
                        $"r{m}-{i},{nationalities[random.Next(3)]},male,{(random.Next(2) == 0 ? "14-17" : "25-34")},{(random.Next(2) == 0 ? "true" : "false")},{fee},{1 + random.Next(3)}\n"));
                }
            }
        }

        _node.Import("incidents.csv", incidents.ToString());
        Assert.Equal(0, _node.Import("migrants.csv", migrants.ToString(), "migrants").RejectedRows);
        var preview = Cells(_node.Context.Releases().Preview()!.Release);
        var together = Cells(_node.Context.Releases().Release()!.Release);

        var alone = new List<string>();
        foreach (var month in months)
        {
            using (var connection = _node.Context.Database.Open())
            {
                connection.Execute("UPDATE months SET changed = 1 WHERE month = @month", new { month });
            }

            alone.AddRange(Cells(_node.Context.Releases().Release()!.Release));
        }

        Assert.Equal(months, together.Select(c => c.Split('|')[0]).Distinct());
        Assert.Contains(together, c => c.Contains("|fees|", StringComparison.Ordinal));
        Assert.Contains(together, c => c.Contains("|legs|", StringComparison.Ordinal));
        Assert.Equal(together, alone);
        Assert.Equal(together, preview);
    }

    private static List<string> Cells(Contracts.V1.Release release) =>
        release.Months.SelectMany(m => m.Tables.SelectMany(t => t.Cells.Select(c => $"{m.Month}|{t.Table}|{c.Measure}|{string.Join(';', c.Dims)}|{c.Value}"))).ToList();
}
