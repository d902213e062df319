using VrsMsrc.Node.Protection;

namespace VrsMsrc.Node.Tests;

[Trait("Category", "Privacy")]
public sealed class PerturbationTableTests
{
    private static readonly ProtectionParameters Defaults = new();

    [Fact]
    public void Every_row_sums_to_one_has_mean_zero_and_stays_within_D()
    {
        var table = new PerturbationTable(Defaults);
        foreach (var row in table.Rows)
        {
            Assert.Equal(1.0, row.Sum(), 9);
            Assert.Equal(0.0, row.Select((p, j) => p * (j - Defaults.MaxNoise)).Sum(), 6);
            Assert.Equal(2 * Defaults.MaxNoise + 1, row.Length);
        }
    }

    [Fact]
    public void Away_from_the_threshold_the_variance_is_the_configured_one()
    {
        var row = new PerturbationTable(Defaults).Rows[^1];
        var variance = row.Select((p, j) => p * Math.Pow(j - Defaults.MaxNoise, 2)).Sum();
        Assert.Equal(Defaults.Variance, variance, 3);
    }

    [Fact]
    public void Values_below_the_threshold_are_never_published_and_nothing_publishes_1_to_k_minus_1()
    {
        var table = new PerturbationTable(Defaults);
        var random = new Random(7);
        for (var i = 0; i < 100_000; i++)
        {
            var value = random.Next(0, 200);
            var published = table.Publish(value, random.Next(256));
            if (value < Defaults.Threshold)
            {
                Assert.Null(published);
            }
            else
            {
                Assert.NotNull(published);
                Assert.InRange(published.Value, Math.Max(Defaults.Threshold, value - Defaults.MaxNoise), value + Defaults.MaxNoise);
            }
        }
    }

    [Fact]
    public void The_same_value_and_cell_key_always_get_the_same_noise()
    {
        var first = new PerturbationTable(Defaults);
        var second = new PerturbationTable(Defaults);
        for (var key = 0; key < 256; key++)
        {
            Assert.Equal(first.Publish(57, key), second.Publish(57, key));
        }
    }

    [Fact]
    public void Noise_over_all_cell_keys_averages_close_to_zero()
    {
        var table = new PerturbationTable(Defaults);
        var mean = Enumerable.Range(0, 256).Average(key => table.Publish(100, key)!.Value - 100.0);
        Assert.InRange(mean, -0.05, 0.05);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.25)]
    [InlineData(0.5)]
    public void The_mass_at_zero_noise_is_the_probability_of_no_change_wherever_noise_can_go_both_ways(double p0)
    {
        var parameters = Defaults with { NoChangeProbability = p0 };
        var table = new PerturbationTable(parameters);

        Assert.Equal(1.0, table.Rows[0][parameters.MaxNoise]);
        Assert.All(table.Rows.Skip(1), row => Assert.Equal(p0, row[parameters.MaxNoise], 9));
        var variance = table.Rows[^1].Select((p, j) => p * Math.Pow(j - parameters.MaxNoise, 2)).Sum();
        Assert.Equal(parameters.Variance, variance, 3);

        // Over the 256 cell keys, the share published unchanged follows p0 (to the keys' resolution).
        var exact = Enumerable.Range(0, 256).Count(key => table.Publish(100, key) == 100) / 256.0;
        Assert.InRange(exact, p0 - (1.5 / 256), p0 + (1.5 / 256));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(0.6)]
    public void A_probability_of_no_change_outside_0_to_half_is_refused(double p0)
    {
        var problem = (Defaults with { NoChangeProbability = p0 }).Problem();
        Assert.NotNull(problem);
        Assert.StartsWith("NoChangeProbability", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_variance_the_probability_of_no_change_leaves_no_room_for_is_refused()
    {
        Assert.NotNull((Defaults with { MaxNoise = 2, Variance = 3.5, NoChangeProbability = 0.2 }).Problem());
        Assert.NotNull((Defaults with { Variance = 0.5, NoChangeProbability = 0.2 }).Problem());
    }

    [Theory]
    [InlineData(4, 5, 3.0, "Threshold")]
    [InlineData(10, 0, 3.0, "MaxNoise")]
    [InlineData(10, 2, 5.0, "Variance")]
    public void Parameters_outside_their_bounds_are_refused(int threshold, int maxNoise, double variance, string field)
    {
        var problem = new ProtectionParameters { Threshold = threshold, MaxNoise = maxNoise, Variance = variance }.Problem();
        Assert.NotNull(problem);
        Assert.StartsWith(field, problem, StringComparison.Ordinal);
    }
}
