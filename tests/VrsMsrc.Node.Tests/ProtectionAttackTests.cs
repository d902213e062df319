using System.Globalization;
using System.Text;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Node.Protection;
using ReleaseMessage = VrsMsrc.Contracts.V1.Release;

namespace VrsMsrc.Node.Tests;

/// <summary>
/// Attacks on the protection of DESIGN §3.4, each stating what an attacker who sees every release learns.
/// Each "trial" is one month of its own random records in one node, so that many trials cost one release.
/// </summary>
[Trait("Category", "Privacy")]
public sealed class ProtectionAttackTests : IDisposable
{
    private const string Header = "ref,detected_on,border_type,corridor,nationality,migrants\n";
    private static readonly string[] Corridors = ["central_mediterranean", "eastern_mediterranean", "western_mediterranean"];
    private static readonly string[] BorderTypes = ["sea", "land", "air"];
    private static readonly string[] Nationalities = ["SYR", "AFG", "MAR", "TUN", "EGY"];
    private static readonly ProtectionParameters Defaults = new();
    private readonly TempNode _node = new();

    public void Dispose() => _node.Dispose();

    private sealed record Row(string Ref, string Month, string BorderType, string Corridor, string Nationality, int Migrants)
    {
        public string Csv => $"{Ref},{Month}-{1 + (Math.Abs(Ref.GetHashCode(StringComparison.Ordinal)) % 28):00},{BorderType},{Corridor},{Nationality},{Migrants}\n";
    }

    private static string Month(int trial) => new DateOnly(2000, 1, 1).AddMonths(trial).ToString("yyyy-MM", CultureInfo.InvariantCulture);

    private void Import(IEnumerable<Row> rows, string name = "rows.csv")
    {
        var summary = _node.Import(name, Header + string.Concat(rows.Select(r => r.Csv)));
        Assert.Empty(summary.Problems);
    }

    private ReleaseMessage ReleaseNow() => ReleaseMessage.Parser.ParseFrom(_node.Context.Releases().Release()!.Payload);

    /// <summary>Published value of one cell per month, as an attacker reads it off the payload.</summary>
    private static Dictionary<string, long> Published(ReleaseMessage release, string table, string measure, params string[] dims) =>
        (from m in release.Months
         from t in m.Tables where t.Table == table
         from c in t.Cells where c.Measure == measure && c.Dims.SequenceEqual(dims)
         select (m.Month, c.Value)).ToDictionary(x => x.Month, x => x.Value);

    [Fact]
    public void No_value_below_k_is_ever_published_and_values_at_or_above_k_stay_within_D_for_any_parameters()
    {
        var random = new Random(11);
        for (var trial = 0; trial < 200; trial++)
        {
            var parameters = new ProtectionParameters { Threshold = random.Next(5, 16), MaxNoise = random.Next(1, 9) };
            parameters = parameters with { Variance = Math.Min(3.0, parameters.MaxNoise * parameters.MaxNoise) };
            var table = new PerturbationTable(parameters);
            for (var value = 0; value < parameters.Threshold + (3 * parameters.MaxNoise); value++)
            {
                for (var key = 0; key < 256; key++)
                {
                    var published = table.Publish(value, key);
                    if (value < parameters.Threshold)
                    {
                        Assert.Null(published);
                    }
                    else
                    {
                        Assert.InRange(published!.Value, Math.Max(parameters.Threshold, value - parameters.MaxNoise), value + parameters.MaxNoise);
                    }
                }
            }
        }
    }

    [Fact]
    public void A_cell_whose_true_value_is_below_k_never_leaves_over_random_data()
    {
        // 60 independent random months (one seed each), spread thinly so that many cells fall below k.
        var rows = new List<Row>();
        for (var trial = 0; trial < 60; trial++)
        {
            var random = new Random(1000 + trial);
            rows.AddRange(Enumerable.Range(0, random.Next(5, 40)).Select(i => new Row(
                $"t{trial}r{i}", Month(trial), BorderTypes[random.Next(3)], Corridors[random.Next(3)], Nationalities[random.Next(5)], random.Next(1, 6))));
        }

        Import(rows);
        var release = ReleaseNow();

        // Everything that leaves, in every table, is at or above k.
        Assert.All(release.Months.SelectMany(m => m.Tables).SelectMany(t => t.Cells), c => Assert.True(c.Value >= Defaults.Threshold, $"published {c.Value} < k"));

        // The corridors cells, checked against the truth computed here: published exactly when the truth is ≥ k.
        var truth = rows.GroupBy(r => (r.Month, r.Corridor, r.BorderType)).ToDictionary(g => g.Key, g => g.Sum(r => r.Migrants));
        var published = (from m in release.Months
                         from t in m.Tables where t.Table == "corridors"
                         from c in t.Cells where c.Measure == "migrants"
                         select (m.Month, c.Dims[0], c.Dims[1])).ToHashSet();
        var below = 0;
        foreach (var ((month, corridor, border), value) in truth)
        {
            Assert.Equal(value >= Defaults.Threshold, published.Contains((month, corridor, border)));
            below += value < Defaults.Threshold ? 1 : 0;
        }

        Assert.True(below > 50, $"the random data should put many cells below k, not {below}");
    }

    [Fact]
    public void The_same_contributions_get_the_same_published_values_in_every_release()
    {
        var random = new Random(5);
        var rows = Enumerable.Range(0, 40).Select(i => new Row(
            $"r{i}", "2024-03", "sea", Corridors[i % 2], Nationalities[random.Next(5)], random.Next(1, 9))).ToList();
        Import(rows);
        var first = ReleaseNow();

        // A correction to one eastern record: the month is released again with fresh noise only where it changed.
        Import([rows[1] with { Migrants = rows[1].Migrants + 3 }], "fix.csv");
        var second = ReleaseNow();

        // An attacker repeating or averaging the central cell over releases gets one value, not a sample of noise.
        var central = "central_mediterranean";
        Assert.Equal(Published(first, "corridors", "migrants", central, "sea"), Published(second, "corridors", "migrants", central, "sea"));
        Assert.Equal(Published(first, "corridors", "incidents", central, "sea"), Published(second, "corridors", "incidents", central, "sea"));

        // Importing the same rows again changes no contribution, so nothing new is released.
        Import(rows.Skip(2), "again.csv");
        Assert.Null(_node.Context.Releases().Release());
    }

    [Fact]
    public void Deleting_a_record_and_releasing_again_shows_fresh_noise_not_the_records_count()
    {
        const int victimMigrants = 7;
        const int trials = 150;
        var rows = new List<Row>();
        for (var trial = 0; trial < trials; trial++)
        {
            var random = new Random(2000 + trial);
            rows.AddRange(Enumerable.Range(0, 20).Select(i => new Row($"t{trial}r{i}", Month(trial), "sea", "central_mediterranean", "SYR", random.Next(1, 7))));
            rows.Add(new Row($"victim{trial}", Month(trial), "sea", "central_mediterranean", "AFG", victimMigrants));
        }

        Import(rows);
        var before = Published(ReleaseNow(), "totals", "migrants");
        _node.Context.Importer().Delete(Enumerable.Range(0, trials).Select(t => $"victim{t}"));
        var after = Published(ReleaseNow(), "totals", "migrants");

        var differences = before.Keys.Select(m => after[m] - before[m]).ToList();
        var histogram = differences.GroupBy(d => d).ToDictionary(g => g.Key, g => g.Count());

        // Without noise every difference would be −7: the attacker would read the victim's count off each release pair.
        Assert.True(histogram.Count >= 6, $"differences take only {histogram.Count} values: {string.Join(", ", histogram)}");
        var exact = histogram.GetValueOrDefault(-victimMigrants) / (double)trials;
        Assert.True(exact < 0.35, $"{exact:P0} of differences reveal the deleted count exactly");
        Assert.True(differences.Count(d => Math.Abs(d + victimMigrants) >= 2) > trials / 3, "the difference should be dominated by fresh noise");
    }

    [Fact]
    public void Subtracting_published_sub_cells_from_a_published_total_does_not_recover_a_suppressed_cell()
    {
        const int trials = 150;
        var rows = new List<Row>();
        var suppressed = new Dictionary<string, int>();
        for (var trial = 0; trial < trials; trial++)
        {
            var random = new Random(3000 + trial);
            rows.AddRange(Enumerable.Range(0, 15).Select(i => new Row($"t{trial}r{i}", Month(trial), "sea", "central_mediterranean", "SYR", random.Next(2, 7))));
            suppressed[Month(trial)] = random.Next(1, Defaults.Threshold);
            rows.Add(new Row($"t{trial}small", Month(trial), "sea", "eastern_mediterranean", "SYR", suppressed[Month(trial)]));
        }

        Import(rows);
        var release = ReleaseNow();
        var total = Published(release, "totals", "migrants");
        var central = Published(release, "corridors", "migrants", "central_mediterranean", "sea");
        Assert.Empty(Published(release, "corridors", "migrants", "eastern_mediterranean", "sea"));

        var errors = total.Keys.Select(m => total[m] - central[m] - suppressed[m]).ToList();
        var exact = errors.Count(e => e == 0) / (double)trials;
        Assert.True(exact < 0.35, $"{exact:P0} of suppressed cells recovered exactly by subtraction");
        Assert.True(errors.Distinct().Count() >= 6, "the attacker's estimate should carry the noise of two cells");

        // Nor does the estimate say whether the hidden cell is 1..k−1 at all: it often falls outside that range.
        Assert.Contains(errors.Zip(total.Keys, (e, m) => e + suppressed[m]), estimate => estimate <= 0 || estimate >= Defaults.Threshold);
    }

    [Fact]
    public void No_cell_key_record_key_ref_or_unperturbed_value_is_in_the_payload()
    {
        var random = new Random(9);
        var rows = Enumerable.Range(0, 400).Select(i => new Row(
            $"CONFIDENTIAL-REF-{i:0000}", Month(i % 12), BorderTypes[random.Next(2)], Corridors[random.Next(2)], Nationalities[random.Next(3)], random.Next(1, 9))).ToList();
        Import(rows);
        var built = _node.Context.Releases().Release()!;
        var release = ReleaseMessage.Parser.ParseFrom(built.Payload);

        // On the bytes: no record reference, and nothing beyond the declared fields (re-encoding the
        // parsed message gives back every byte, and no field was unknown to the parser).
        var text = Encoding.UTF8.GetString(built.Payload);
        Assert.DoesNotContain("CONFIDENTIAL", text, StringComparison.Ordinal);
        Assert.Equal(built.Payload, Google.Protobuf.MessageExtensions.ToByteArray(ReleaseMessage.Parser.WithDiscardUnknownFields(true).ParseFrom(built.Payload)));

        // A cell carries its dimensions, measure and published value: no field could hold a key or the true value.
        Assert.Equal(["dims", "measure", "value"], Cell.Descriptor.Fields.InFieldNumberOrder().Select(f => f.Name));
        Assert.DoesNotContain(ReleaseMessage.Descriptor.Fields.InFieldNumberOrder().Concat(MonthRelease.Descriptor.Fields.InFieldNumberOrder()),
            f => f.Name.Contains("key", StringComparison.OrdinalIgnoreCase) || f.Name.Contains("true", StringComparison.OrdinalIgnoreCase) || f.Name.Contains("raw", StringComparison.OrdinalIgnoreCase));

        // The published value is not the true one for a good share of cells well above k.
        var truth = rows.GroupBy(r => (r.Month, r.Corridor, r.BorderType)).ToDictionary(g => g.Key, g => (long)g.Sum(r => r.Migrants));
        var compared = (from m in release.Months
                        from t in m.Tables where t.Table == "corridors"
                        from c in t.Cells where c.Measure == "migrants"
                        let value = truth[(m.Month, c.Dims[0], c.Dims[1])]
                        where value >= Defaults.Threshold + Defaults.MaxNoise
                        select (Published: c.Value, True: value)).ToList();
        Assert.True(compared.Count >= 30, $"only {compared.Count} cells to compare");
        var differ = compared.Count(c => c.Published != c.True) / (double)compared.Count;
        Assert.True(differ > 0.5, $"only {differ:P0} of published values differ from the true value");
    }
}
