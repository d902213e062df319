namespace VrsMsrc.Node.Protection;

/// <summary>
/// The perturbation table of the cell key method: for each cell value a distribution of noise in
/// [−D, D] with mean zero, variance close to V and mass p0 at zero, never taking a value of k or more below k. The
/// cell key (0–255) picks the noise from the distribution's cumulative form, so the same contributions
/// always get the same noise and repeating a query gains nothing.
/// </summary>
internal sealed class PerturbationTable
{
    private readonly ProtectionParameters _parameters;

    // _cumulative[r][j]: probability that noise ≤ j − D for value k + r; the last row serves every
    // value from k + D on, where the threshold no longer limits the noise.
    private readonly double[][] _cumulative;

    public PerturbationTable(ProtectionParameters parameters)
    {
        _parameters = parameters;
        var rows = new double[parameters.MaxNoise + 1][];
        for (var r = 0; r < rows.Length; r++)
        {
            rows[r] = Distribution(parameters.Threshold + r, parameters);
        }

        Rows = rows;
        _cumulative = rows.Select(p =>
        {
            var c = new double[p.Length];
            var sum = 0.0;
            for (var j = 0; j < p.Length; j++)
            {
                c[j] = sum += p[j];
            }

            c[^1] = 1.0;
            return c;
        }).ToArray();
        Validate();
    }

    /// <summary>Probabilities of noise −D..D for values k, k+1, …, k+D.</summary>
    public IReadOnlyList<double[]> Rows { get; }

    public int Threshold => _parameters.Threshold;

    /// <summary>
    /// The published value of a cell, or null when it must not be published (below the threshold).
    /// </summary>
    public long? Publish(long value, int cellKey)
    {
        if (value < _parameters.Threshold)
        {
            return null;
        }

        var row = _cumulative[(int)Math.Min(value - _parameters.Threshold, _parameters.MaxNoise)];
        var u = ((cellKey & 0xFF) + 0.5) / 256.0;
        var j = 0;
        while (row[j] < u)
        {
            j++;
        }

        return value + j - _parameters.MaxNoise;
    }

    /// <summary>
    /// Noise distribution for one value: mass p0 (the probability of no change) at zero, and the rest
    /// spread over the allowed non-zero noise as q(e) ∝ exp(−a·e² + b·e), with b set for mean zero and a
    /// for overall variance V (or the largest variance the support allows near the threshold). Keeping
    /// p0 apart is what lets a node choose how often a cell is published exactly, independently of V.
    /// </summary>
    private static double[] Distribution(long value, ProtectionParameters parameters)
    {
        var d = parameters.MaxNoise;
        var p0 = parameters.NoChangeProbability;
        var lowest = (int)Math.Max(-d, parameters.Threshold - value);
        var p = new double[2 * d + 1];
        if (lowest >= 0)
        {
            // At the threshold itself noise can only go up, and a zero mean then allows no noise.
            p[d] = 1;
            return p;
        }

        // Moments of q, the distribution over non-zero noise; the whole row's moments are (1 − p0) times these.
        double Moment(double a, double b, int power)
        {
            double total = 0, weighted = 0;
            for (var e = lowest; e <= d; e++)
            {
                if (e != 0)
                {
                    var w = Math.Exp((-a * e * e) + (b * e));
                    total += w;
                    weighted += w * Math.Pow(e, power);
                }
            }

            return weighted / total;
        }

        var target = parameters.Variance / (1 - p0);
        double CentredB(double a) => Bisect(-40, 40, b => Moment(a, b, 1));
        var aForVariance = Moment(0, CentredB(0), 2) <= target
            ? 0
            : Bisect(0, 40, a => target - Moment(a, CentredB(a), 2));
        var bCentred = CentredB(aForVariance);
        var sum = 0.0;
        for (var e = lowest; e <= d; e++)
        {
            if (e != 0)
            {
                sum += p[e + d] = Math.Exp((-aForVariance * e * e) + (bCentred * e));
            }
        }

        for (var j = 0; j < p.Length; j++)
        {
            p[j] *= (1 - p0) / sum;
        }

        p[d] = p0;
        return p;
    }

    /// <summary>Root of an increasing function on [low, high].</summary>
    private static double Bisect(double low, double high, Func<double, double> f)
    {
        for (var i = 0; i < 200; i++)
        {
            var mid = (low + high) / 2;
            // Once low and high are neighbouring doubles nothing changes any more: stopping there gives the
            // same root as running all 200 steps, and the table is built on every release.
            if (mid == low || mid == high)
            {
                break;
            }

            if (f(mid) > 0)
            {
                high = mid;
            }
            else
            {
                low = mid;
            }
        }

        return (low + high) / 2;
    }

    /// <summary>Checked on every load: a table that breaks these would leak or bias what is published.</summary>
    private void Validate()
    {
        var d = _parameters.MaxNoise;
        for (var r = 0; r < Rows.Count; r++)
        {
            var row = Rows[r];
            var value = _parameters.Threshold + r;
            if (Math.Abs(row.Sum() - 1) > 1e-9)
            {
                throw new InvalidOperationException($"perturbation row for value {value} does not sum to 1");
            }

            if (Math.Abs(row.Select((q, j) => q * (j - d)).Sum()) > 1e-6)
            {
                throw new InvalidOperationException($"perturbation row for value {value} does not have mean zero");
            }

            // Where noise can go both ways the row must honour p0; at the threshold itself it is 1 by necessity.
            if (value > _parameters.Threshold && Math.Abs(row[d] - _parameters.NoChangeProbability) > 1e-9)
            {
                throw new InvalidOperationException($"perturbation row for value {value} leaves a value unchanged with probability {row[d]}, not {_parameters.NoChangeProbability}");
            }

            for (var j = 0; j < row.Length; j++)
            {
                var published = value + j - d;
                if (row[j] > 0 && published < _parameters.Threshold)
                {
                    throw new InvalidOperationException($"perturbation row for value {value} could publish {published}, below the threshold");
                }
            }
        }
    }
}
