namespace VrsMsrc.Hub.Trends.Detection;

/// <summary>
/// The distribution functions the detectors need. .NET has none of them, and the detectors only agree with the
/// published R reference if these are accurate to near machine precision: a Farrington bound is a discrete
/// quantile, so a small error in a CDF moves the bound by a whole count.
/// </summary>
internal static class Distributions
{
    /// <summary>R's .Machine$double.eps (not <see cref="double.Epsilon"/>, which is the smallest subnormal).</summary>
    public const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>Means, and walks from the mode, beyond this many counts are approximated, not summed term by term.</summary>
    private const double LongestWalk = 1e8;

    /// <summary>
    /// Inverse of the standard normal CDF, Wichura's algorithm AS 241 (PPND16): rational approximations in three
    /// regions, relative error about 1e-16, which is what R's qnorm uses too.
    /// </summary>
    public static double NormalQuantile(double p)
    {
        if (double.IsNaN(p) || p < 0 || p > 1)
        {
            return double.NaN;
        }

        if (p == 0)
        {
            return double.NegativeInfinity;
        }

        if (p == 1)
        {
            return double.PositiveInfinity;
        }

        var q = p - 0.5;
        if (Math.Abs(q) <= 0.425)
        {
            var r = 0.180625 - q * q;
            return q * Polynomial(r, 3.3871328727963666080, 133.14166789178437745, 1971.5909503065514427,
                       13731.693765509461125, 45921.953931549871457, 67265.770927008700853,
                       33430.575583588128105, 2509.0809287301226727)
                   / Polynomial(r, 1.0, 42.313330701600911252, 687.18700749205790830, 5394.1960214247511077,
                       21213.794301586595867, 39307.895800092710610, 28729.085735721942674,
                       5226.4952788528545610);
        }

        // Tails: work with the smaller of p and 1-p so the far tail keeps its precision.
        var tail = Math.Sqrt(-Math.Log(q < 0 ? p : 1 - p));
        double value;
        if (tail <= 5)
        {
            tail -= 1.6;
            value = Polynomial(tail, 1.42343711074968357734, 4.63033784615654529590, 5.76949722146069140550,
                        3.64784832476320460504, 1.27045825245236838258, 0.241780725177450611770,
                        0.0227238449892691845833, 7.74545014278341407640e-4)
                    / Polynomial(tail, 1.0, 2.05319162663775882187, 1.67638483018380384940,
                        0.689767334985100004550, 0.148103976427480074590, 0.0151986665636164571966,
                        5.47593808499534494600e-4, 1.05075007164441684324e-9);
        }
        else
        {
            tail -= 5;
            value = Polynomial(tail, 6.65790464350110377720, 5.46378491116411436990, 1.78482653991729133580,
                        0.296560571828504891230, 0.0265321895265761230930, 0.00124266094738807843860,
                        2.71155556874348757815e-5, 2.01033439929228813265e-7)
                    / Polynomial(tail, 1.0, 0.599832206555887937690, 0.136929880922735805310,
                        0.0148753612908506148525, 7.86869131145613259100e-4, 1.84631831751005468180e-5,
                        1.42151175831644588870e-7, 2.04426310338993978564e-15);
        }

        return q < 0 ? -value : value;
    }

    private static double Polynomial(double x, params ReadOnlySpan<double> coefficients)
    {
        var sum = 0.0;
        for (var i = coefficients.Length - 1; i >= 0; i--)
        {
            sum = sum * x + coefficients[i];
        }

        return sum;
    }

    // Lanczos approximation with g = 7 and nine terms: about 15 significant digits over the positive reals.
    private static ReadOnlySpan<double> LanczosTerms =>
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];

    /// <summary>log Γ(x) for x &gt; 0.</summary>
    public static double LogGamma(double x)
    {
        if (double.IsNaN(x) || x <= 0)
        {
            return double.NaN;
        }

        if (x < 0.5)
        {
            // The series loses accuracy near zero; the reflection formula moves the work to 1 - x.
            return Math.Log(Math.PI / Math.Sin(Math.PI * x)) - LogGamma(1 - x);
        }

        var z = x - 1;
        var series = LanczosTerms[0];
        for (var i = 1; i < LanczosTerms.Length; i++)
        {
            series += LanczosTerms[i] / (z + i);
        }

        var t = z + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (z + 0.5) * Math.Log(t) - t + Math.Log(series);
    }

    /// <summary>
    /// Two-sided p-value of a t statistic, 2·P(T &lt; -|t|) with <paramref name="df"/> degrees of freedom, as
    /// summary.glm reports for a coefficient of a quasi-likelihood fit.
    /// </summary>
    public static double StudentTwoSidedPValue(double t, double df)
    {
        if (double.IsNaN(t) || !(df > 0))
        {
            return double.NaN;
        }

        if (double.IsInfinity(t))
        {
            return 0;
        }

        // 2·P(T < -|t|) = I_x(df/2, 1/2) with x = df / (df + t²); 1 - x is passed separately because for
        // small |t| it is tiny and would be lost to cancellation.
        var t2 = t * t;
        return RegularizedIncompleteBeta(df / (df + t2), t2 / (df + t2), df / 2, 0.5);
    }

    /// <summary>I_x(a, b), the regularized incomplete beta function; <paramref name="oneMinusX"/> is 1 - x.</summary>
    public static double RegularizedIncompleteBeta(double x, double oneMinusX, double a, double b)
    {
        if (x <= 0)
        {
            return 0;
        }

        if (oneMinusX <= 0)
        {
            return 1;
        }

        // The continued fraction converges fast only left of the mean; beyond it use I_x(a,b) = 1 - I_{1-x}(b,a).
        return x < (a + 1) / (a + b + 2)
            ? IncompleteBetaFraction(x, oneMinusX, a, b)
            : 1 - IncompleteBetaFraction(oneMinusX, x, b, a);
    }

    private static double IncompleteBetaFraction(double x, double oneMinusX, double a, double b)
    {
        var logFront = a * Math.Log(x) + b * Math.Log(oneMinusX) - LogBeta(a, b);
        const double Tiny = 1e-300;

        // Modified Lentz evaluation of 1 + d1/(1 + d2/(1 + ...)), whose reciprocal times the front factor is I_x.
        var c = 1.0;
        var d = 0.0;
        var fraction = 1.0;
        for (var step = 1; step <= 10_000; step++)
        {
            var m = step / 2;
            var coefficient = step % 2 == 1
                ? -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
                : m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
            d = 1 + coefficient * d;
            d = Math.Abs(d) < Tiny ? Tiny : d;
            c = 1 + coefficient / c;
            c = Math.Abs(c) < Tiny ? Tiny : c;
            d = 1 / d;
            var change = c * d;
            fraction *= change;
            if (Math.Abs(change - 1) < 1e-16)
            {
                break;
            }
        }

        return Math.Exp(logFront) / (a * fraction);
    }

    private static double LogBeta(double a, double b) => LogGamma(a) + LogGamma(b) - LogGamma(a + b);

    /// <summary>
    /// Smallest count x with P(X ≤ x) ≥ p, for X negative binomial with the given mean and variance
    /// mean·dispersion (Poisson when the dispersion is 1). This is R's qnbinom(p, size = mean/(φ-1), prob = 1/φ),
    /// or qpois(p, mean) for φ = 1, including its fuzz of 64 ulp that keeps the quantile left-continuous.
    /// </summary>
    /// <remarks>
    /// The CDF is summed exactly rather than read from an incomplete beta function: the pmf at the mode comes
    /// from the saddle-point form, and the other terms from it by the ratio of successive terms, which keeps
    /// full precision where log-gamma differences of huge arguments would not (a near-Poisson NB has a size in
    /// the millions). Over-dispersed surge series have φ in the tens of thousands and quantiles in the
    /// hundreds of thousands; the walk is linear in the quantile, which is fast enough for monthly series.
    /// </remarks>
    public static double NegativeBinomialQuantile(double p, double mean, double dispersion)
    {
        if (double.IsNaN(p) || double.IsNaN(mean) || double.IsNaN(dispersion) || mean < 0 || dispersion < 1 || p < 0 || p > 1)
        {
            return double.NaN;
        }

        if (double.IsInfinity(mean) || double.IsInfinity(dispersion) || p + 1.01 * MachineEpsilon >= 1)
        {
            return double.PositiveInfinity;
        }

        if (mean == 0 || p == 0)
        {
            return 0;
        }

        var phi = dispersion;
        if (mean > LongestWalk)
        {
            return CornishFisher(p, mean, phi);
        }

        var target = p * (1 - 64 * MachineEpsilon);

        // pmf(i+1)/pmf(i) = (i(φ-1) + μ) / (φ(i+1)), which is ≤ 1 from i = μ - φ on.
        double Ratio(double i) => (i * (phi - 1) + mean) / (phi * (i + 1));
        var mode = Math.Max(0, Math.Ceiling(mean - phi));
        var atMode = NegativeBinomialPmf(mode, mean, phi);

        // Left of the mode (only when μ > φ, where the pmf is log-concave, so each ratio bounds all the next
        // ones): walk down until the rest cannot matter, then sum upwards, smallest terms first.
        var left = new List<double>();
        var term = atMode;
        var mass = atMode;
        for (var i = mode; i > 0; i--)
        {
            var back = 1 / Ratio(i - 1);
            term *= back;
            left.Add(term);
            mass += term;
            if (term == 0 || term * back / (1 - back) < 1e-17 * mass)
            {
                break;
            }
        }

        var cumulative = 0.0;
        for (var j = left.Count - 1; j >= 0; j--)
        {
            cumulative += left[j];
            if (cumulative >= target)
            {
                return mode - 1 - j;
            }
        }

        term = atMode;
        cumulative += term;
        var x = mode;
        while (cumulative < target)
        {
            if (x - mode > LongestWalk)
            {
                return Math.Max(x, CornishFisher(p, mean, phi));
            }

            term *= Ratio(x);
            x++;
            if (term < MachineEpsilon * MachineEpsilon * cumulative)
            {
                // Rounding left the sum just short of a target within an ulp of 1; R answers +∞ only at 1 itself.
                break;
            }

            cumulative += term;
        }

        return x;
    }

    /// <summary>
    /// R's starting point for its quantile search, used as the answer only where summing term by term would
    /// take too long: far beyond any count a monthly series reaches, where exactness no longer matters. It is
    /// poor for extreme skew, which is why it is not used to bound the walk.
    /// </summary>
    private static double CornishFisher(double p, double mean, double phi)
    {
        var sigma = Math.Sqrt(mean * phi);
        var z = NormalQuantile(p);
        return Math.Max(0, Math.Round(mean + sigma * (z + (2 * phi - 1) / sigma * (z * z - 1) / 6)));
    }

    /// <summary>
    /// P(X = x) for the negative binomial with mean μ and variance φμ (Poisson for φ = 1), by Loader's
    /// saddle-point expansion (as R's dbinom_raw): Stirling remainders and a deviance term that is computed
    /// without cancellation, so the result keeps ~14 digits for counts in the millions.
    /// </summary>
    public static double NegativeBinomialPmf(double x, double mean, double phi)
    {
        if (phi == 1)
        {
            return x == 0
                ? Math.Exp(-mean)
                : Math.Exp(-StirlingRemainder(x) - DevianceTerm(x, mean)) / Math.Sqrt(2 * Math.PI * x);
        }

        var size = mean / (phi - 1);
        if (x == 0)
        {
            // (1/φ)^size; ln φ / (φ - 1) keeps its digits when φ is close to 1.
            return Math.Exp(-mean * Math.Log(phi) / (phi - 1));
        }

        // C(n, k) pᵏ qⁿ⁻ᵏ with n = x + size, k = size, p = 1/φ, times k/n.
        var n = x + size;
        var exponent = StirlingRemainder(n) - StirlingRemainder(size) - StirlingRemainder(x)
                       - DevianceTerm(size, n / phi) - DevianceTerm(x, n * (phi - 1) / phi);
        var logScale = Math.Log(2 * Math.PI) + Math.Log(size) + Math.Log(x / n);
        return size / n * Math.Exp(exponent - 0.5 * logScale);
    }

    /// <summary>ln Γ(n + 1) - ln(√(2πn) (n/e)ⁿ), the error of Stirling's formula.</summary>
    private static double StirlingRemainder(double n)
    {
        if (n <= 15)
        {
            return LogGamma(n + 1) - (n + 0.5) * Math.Log(n) + n - 0.5 * Math.Log(2 * Math.PI);
        }

        // The asymptotic series 1/(12n) - 1/(360n³) + 1/(1260n⁵) - 1/(1680n⁷) + 1/(1188n⁹).
        var n2 = n * n;
        return n > 500 ? (1.0 / 12 - 1.0 / 360 / n2) / n
            : n > 80 ? (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / n2) / n2) / n
            : n > 35 ? (1.0 / 12 - (1.0 / 360 - (1.0 / 1260 - 1.0 / 1680 / n2) / n2) / n2) / n
            : (1.0 / 12 - (1.0 / 360 - (1.0 / 1260 - (1.0 / 1680 - 1.0 / 1188 / n2) / n2) / n2) / n2) / n;
    }

    /// <summary>x ln(x/m) + m - x, by a series when x is close to m, where the direct form cancels.</summary>
    private static double DevianceTerm(double x, double m)
    {
        if (Math.Abs(x - m) < 0.1 * (x + m))
        {
            var v = (x - m) / (x + m);
            var sum = (x - m) * v;
            var power = 2 * x * v;
            for (var j = 1; j < 1000; j++)
            {
                power *= v * v;
                var next = sum + power / (2 * j + 1);
                if (next == sum)
                {
                    return next;
                }

                sum = next;
            }

            return sum;
        }

        return x * Math.Log(x / m) + m - x;
    }
}
