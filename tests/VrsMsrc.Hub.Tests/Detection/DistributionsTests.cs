using System.Globalization;
using VrsMsrc.Contracts.Text;
using VrsMsrc.Hub.Trends.Detection;

namespace VrsMsrc.Hub.Tests.Detection;

/// <summary>The distribution functions against values printed by R 4.2.2 (options(digits = 17)).</summary>
[Trait("Category", "Unit")]
public sealed class DistributionsTests
{
    [Theory]
    [InlineData(0.999, 3.09023230616781319)]
    [InlineData(0.975, 1.95996398454005361)]
    [InlineData(0.5, 0.0)]
    [InlineData(1e-10, -6.36134090240405570)]
    [InlineData(0.3, -0.52440051270804067)]
    [InlineData(1 - 1e-12, 7.03448691004783555)]
    public void Normal_quantile_matches_R_qnorm(double p, double expected) =>
        Assert.Equal(expected, Distributions.NormalQuantile(p), 1e-14 * Math.Max(1, Math.Abs(expected)));

    [Theory]
    [InlineData(0.5, 0.57236494292470008)]
    [InlineData(1, 0.0)]
    [InlineData(3.7, 1.4280723266653881)]
    [InlineData(100.25, 360.28455963776423)]
    [InlineData(1e6, 12815504.569147611)]
    [InlineData(1e-8, 18.420680738180209)]
    public void Log_gamma_matches_R_lgamma(double x, double expected) =>
        Assert.Equal(expected, Distributions.LogGamma(x), 1e-13 * Math.Max(1, Math.Abs(expected)));

    [Theory]
    [InlineData(0.3, 35, 0.76595175276305261)]
    [InlineData(2.1, 35, 0.043005550565445277)]
    [InlineData(-8, 35, 2.0554034270111569e-09)]
    public void Two_sided_t_p_value_matches_R_pt(double t, double df, double expected) =>
        Assert.Equal(expected, Distributions.StudentTwoSidedPValue(t, df), expected * 1e-10);

    [Fact]
    public void Incomplete_beta_matches_R_pbeta() =>
        Assert.Equal(0.6490225790210129, Distributions.RegularizedIncompleteBeta(0.3, 0.7, 2.5, 7.1), 1e-13);

    [Theory]
    [InlineData(10, 2.5, 33)] // qnbinom(0.99, size, mu = mean)
    [InlineData(100, 0.01, 2651)]
    [InlineData(5000, 1e6, 5166)]
    [InlineData(1e-11, 1e-11, 0)]
    public void Negative_binomial_quantile_matches_R_qnbinom(double mean, double size, double expected) =>
        Assert.Equal(expected, Distributions.NegativeBinomialQuantile(0.99, mean, 1 + mean / size));

    [Theory]
    [InlineData(0.5, 3)]
    [InlineData(17.3, 28)]
    [InlineData(12345.6, 12605)]
    public void Dispersion_one_is_Poisson_like_R_qpois(double mean, double expected) =>
        Assert.Equal(expected, Distributions.NegativeBinomialQuantile(0.99, mean, 1));

    [Fact]
    public void Quantiles_match_R_over_a_random_grid()
    {
        // 1500 (p, mean, dispersion) draws from Cases/nbinom_quantiles.R: means 1e-12..3e5, dispersions 1..1e5.
        var path = Path.Combine(ReferenceCases.CasesDirectory, "nbinom_quantiles.csv");
        using var reader = File.OpenText(path);
        var csv = new CsvReader(reader);
        csv.ReadHeader();
        var differ = new List<string>();
        var count = 0;
        while (csv.ReadRecord() is { } r)
        {
            var f = r.Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            var q = Distributions.NegativeBinomialQuantile(f[0], f[1], f[2]);
            count++;
            if (q != f[3])
            {
                differ.Add($"p={f[0]} mean={f[1]} dispersion={f[2]}: R {f[3]}, C# {q}");
            }
        }

        Assert.Equal(1500, count);
        Assert.True(differ.Count == 0, string.Join('\n', differ));
    }

    [Fact]
    public void Absurdly_large_means_are_approximated_instead_of_walked()
    {
        // qnbinom(0.99, size = 1e12, prob = 0.5) = 1000003289955 in R.
        var started = System.Diagnostics.Stopwatch.StartNew();
        var q = Distributions.NegativeBinomialQuantile(0.99, 1e12, 2);
        Assert.Equal(1000003289955, q, 1e-9 * q);
        Assert.True(started.ElapsedMilliseconds < 1000);
    }

    [Fact]
    public void Pmf_sums_to_one_even_for_huge_sizes()
    {
        // size = mean/(φ-1) = 1e9: log-gamma differences would lose seven digits here.
        var total = 0.0;
        for (var x = 0; x < 3000; x++)
        {
            total += Distributions.NegativeBinomialPmf(x, 1000, 1 + 1e-6);
        }

        Assert.Equal(1, total, 1e-12);
    }
}
