namespace VrsMsrc.Hub.Trends.Detection;

/// <summary>A converged (or given-up) quasi-Poisson log-linear fit, with what Farrington's method reads from it.</summary>
internal sealed class QuasiPoissonFit
{
    private readonly double[,] _rInverse;

    public QuasiPoissonFit(double[] coefficients, double[] fitted, double[] hat, double dispersion, int residualDf,
        bool converged, double[,] rInverse)
    {
        Coefficients = coefficients;
        Fitted = fitted;
        Hat = hat;
        Dispersion = dispersion;
        ResidualDf = residualDf;
        Converged = converged;
        _rInverse = rInverse;
    }

    public IReadOnlyList<double> Coefficients { get; }

    /// <summary>μ of each observation.</summary>
    public IReadOnlyList<double> Fitted { get; }

    /// <summary>Leverages of the final weighted least-squares step.</summary>
    public IReadOnlyList<double> Hat { get; }

    /// <summary>Pearson estimate of φ (not clamped at 1), as summary.glm reports it; NaN without residual df.</summary>
    public double Dispersion { get; }

    public int ResidualDf { get; }

    public bool Converged { get; }

    public double LinearPredictor(ReadOnlySpan<double> row)
    {
        var eta = 0.0;
        for (var j = 0; j < row.Length; j++)
        {
            eta += row[j] * Coefficients[j];
        }

        return eta;
    }

    /// <summary>Standard error of a coefficient, scaled by the estimated dispersion.</summary>
    public double StandardError(int coefficient)
    {
        // (RᵀR)⁻¹ = R⁻¹R⁻ᵀ, so the diagonal is the squared norm of a row of R⁻¹.
        var sum = 0.0;
        for (var k = coefficient; k < _rInverse.GetLength(1); k++)
        {
            sum += _rInverse[coefficient, k] * _rInverse[coefficient, k];
        }

        return Math.Sqrt(sum * Dispersion);
    }
}

/// <summary>
/// Quasi-Poisson regression with log link by iteratively reweighted least squares. The iteration follows R's
/// glm.fit step for step (start at y + 0.1, μ floored at machine epsilon, relative deviance change below 1e-8,
/// at most 25 iterations, step halving on a non-finite deviance) because Farrington's method acts on whether
/// and where it converged: for series with long runs of zeros the coefficients run off towards -∞ and the
/// result is wherever R's stopping rule left them.
/// </summary>
internal static class QuasiPoissonGlm
{
    private const int MaxIterations = 25;
    private const double Tolerance = 1e-8;

    /// <summary>Rank tolerance of R's QR (min(1e-7, epsilon/1000)).</summary>
    private const double RankTolerance = 1e-11;

    /// <summary>
    /// Fits log E[y] = Xβ with prior weights; null where R would stop with an error or drop a column as aliased
    /// (callers have no use for a rank-deficient fit).
    /// </summary>
    public static QuasiPoissonFit? Fit(double[][] design, IReadOnlyList<double> y, IReadOnlyList<double> weights)
    {
        var n = y.Count;
        var p = design.Length == 0 ? 0 : design[0].Length;
        if (n == 0 || p == 0 || n < p)
        {
            return null;
        }

        var eta = new double[n];
        var mu = new double[n];
        for (var i = 0; i < n; i++)
        {
            eta[i] = Math.Log(y[i] + 0.1);
            mu[i] = Mean(eta[i]);
        }

        var devianceBefore = Deviance(y, mu, weights);
        double[]? previous = null;
        double[] coefficients = [];
        var rootWeights = new double[n];
        LeastSquaresStep? step = null;
        var converged = false;
        for (var iteration = 1; iteration <= MaxIterations; iteration++)
        {
            var a = new double[n, p];
            var z = new double[n];
            for (var i = 0; i < n; i++)
            {
                // For the log link dμ/dη and the variance are both μ, so the working weight is prior·μ.
                rootWeights[i] = Math.Sqrt(weights[i] * mu[i]);
                var working = eta[i] + (y[i] - mu[i]) / mu[i];
                z[i] = working * rootWeights[i];
                for (var j = 0; j < p; j++)
                {
                    a[i, j] = design[i][j] * rootWeights[i];
                }
            }

            step = LeastSquaresStep.Solve(a, z);
            if (step is null || step.Coefficients.Any(c => !double.IsFinite(c)))
            {
                return null;
            }

            coefficients = step.Coefficients;
            Predict(design, coefficients, eta, mu);
            var deviance = Deviance(y, mu, weights);
            if (!double.IsFinite(deviance) || mu.Any(m => !double.IsFinite(m)))
            {
                if (previous is null || !Halve(design, y, weights, previous, ref coefficients, eta, mu, out deviance))
                {
                    return null;
                }
            }

            if (Math.Abs(deviance - devianceBefore) / (0.1 + Math.Abs(deviance)) < Tolerance)
            {
                converged = true;
                break;
            }

            devianceBefore = deviance;
            previous = coefficients;
        }

        // R keeps the weights and the QR of the last step (computed from the μ before it) for the dispersion,
        // the leverages and the covariance, and the residuals of the final μ.
        var dispersion = double.NaN;
        var residualDf = n - p;
        if (residualDf > 0)
        {
            var sum = 0.0;
            for (var i = 0; i < n; i++)
            {
                var working = rootWeights[i] * rootWeights[i];
                if (working > 0)
                {
                    var residual = (y[i] - mu[i]) / mu[i];
                    sum += working * residual * residual;
                }
            }

            dispersion = sum / residualDf;
        }

        var hat = new double[n];
        for (var i = 0; i < n; i++)
        {
            var h = 0.0;
            for (var k = 0; k < p; k++)
            {
                // Row i of Q = A R⁻¹, with A the weighted design of the last step.
                var q = 0.0;
                for (var j = 0; j <= k; j++)
                {
                    q += design[i][j] * rootWeights[i] * step!.RInverse[j, k];
                }

                h += q * q;
            }

            hat[i] = h > 1 - 10 * Distributions.MachineEpsilon ? 1 : h;
        }

        return new QuasiPoissonFit(coefficients, mu, hat, dispersion, residualDf, converged, step!.RInverse);
    }

    private static bool Halve(double[][] design, IReadOnlyList<double> y, IReadOnlyList<double> weights,
        double[] previous, ref double[] coefficients, double[] eta, double[] mu, out double deviance)
    {
        deviance = double.NaN;
        for (var attempt = 0; attempt < MaxIterations; attempt++)
        {
            coefficients = coefficients.Select((c, j) => (c + previous[j]) / 2).ToArray();
            Predict(design, coefficients, eta, mu);
            deviance = Deviance(y, mu, weights);
            if (double.IsFinite(deviance) && mu.All(double.IsFinite))
            {
                return true;
            }
        }

        return false;
    }

    private static void Predict(double[][] design, double[] coefficients, double[] eta, double[] mu)
    {
        for (var i = 0; i < eta.Length; i++)
        {
            var sum = 0.0;
            for (var j = 0; j < coefficients.Length; j++)
            {
                sum += design[i][j] * coefficients[j];
            }

            eta[i] = sum;
            mu[i] = Mean(sum);
        }
    }

    /// <summary>Inverse log link, floored like R's so that weights never become exactly zero.</summary>
    private static double Mean(double eta) => Math.Max(Math.Exp(eta), Distributions.MachineEpsilon);

    private static double Deviance(IReadOnlyList<double> y, double[] mu, IReadOnlyList<double> weights)
    {
        var sum = 0.0;
        for (var i = 0; i < mu.Length; i++)
        {
            sum += y[i] > 0
                ? weights[i] * (y[i] * Math.Log(y[i] / mu[i]) - (y[i] - mu[i]))
                : weights[i] * mu[i];
        }

        return 2 * sum;
    }

    /// <summary>One weighted least-squares solve by Householder QR, keeping R⁻¹ for leverages and covariance.</summary>
    private sealed class LeastSquaresStep(double[] coefficients, double[,] rInverse)
    {
        public double[] Coefficients { get; } = coefficients;

        public double[,] RInverse { get; } = rInverse;

        /// <summary>Least squares of a·β ≈ b (both overwritten); null when a column is (numerically) aliased.</summary>
        public static LeastSquaresStep? Solve(double[,] a, double[] b)
        {
            var n = a.GetLength(0);
            var p = a.GetLength(1);
            for (var j = 0; j < p; j++)
            {
                var original = 0.0;
                var norm = 0.0;
                for (var i = 0; i < n; i++)
                {
                    original += a[i, j] * a[i, j];
                    norm += i >= j ? a[i, j] * a[i, j] : 0;
                }

                // A column whose remainder after projecting out the earlier ones is negligible is aliased;
                // R would pivot it out and report NA for its coefficient.
                norm = Math.Sqrt(norm);
                if (!(norm > RankTolerance * Math.Sqrt(original)))
                {
                    return null;
                }

                var alpha = a[j, j] > 0 ? -norm : norm;
                var v0 = a[j, j] - alpha;
                a[j, j] = v0;
                var vv = v0 * v0;
                for (var i = j + 1; i < n; i++)
                {
                    vv += a[i, j] * a[i, j];
                }

                // Reflect the remaining columns and the right-hand side: x -= v·(2 vᵀx / vᵀv).
                for (var k = j + 1; k < p; k++)
                {
                    var dot = 0.0;
                    for (var i = j; i < n; i++)
                    {
                        dot += a[i, j] * a[i, k];
                    }

                    var factor = 2 * dot / vv;
                    for (var i = j; i < n; i++)
                    {
                        a[i, k] -= factor * a[i, j];
                    }
                }

                var dotB = 0.0;
                for (var i = j; i < n; i++)
                {
                    dotB += a[i, j] * b[i];
                }

                var factorB = 2 * dotB / vv;
                for (var i = j; i < n; i++)
                {
                    b[i] -= factorB * a[i, j];
                }

                a[j, j] = alpha;
            }

            var coefficients = new double[p];
            for (var j = p - 1; j >= 0; j--)
            {
                var sum = b[j];
                for (var k = j + 1; k < p; k++)
                {
                    sum -= a[j, k] * coefficients[k];
                }

                coefficients[j] = sum / a[j, j];
            }

            var inverse = new double[p, p];
            for (var k = 0; k < p; k++)
            {
                inverse[k, k] = 1 / a[k, k];
                for (var j = k - 1; j >= 0; j--)
                {
                    var sum = 0.0;
                    for (var m = j + 1; m <= k; m++)
                    {
                        sum += a[j, m] * inverse[m, k];
                    }

                    inverse[j, k] = -sum / a[j, j];
                }
            }

            return new LeastSquaresStep(coefficients, inverse);
        }
    }
}
