using System.Globalization;

namespace VrsMsrc.Contracts.Catalogue;

/// <summary>
/// Fee bands in 1-2-5 steps (0–100, 100–200, 200–500, 500–1000, …), labelled "LOW-HIGH" in the
/// currency paid. Bands, not amounts, leave the node; the hub estimates quantiles from them.
/// </summary>
public static class FeeBands
{
    private static readonly double[] Steps = [1, 2, 5];

    /// <summary>The band holding <paramref name="amount"/>: lower bound inclusive, upper exclusive.</summary>
    public static (double Low, double High) Of(double amount)
    {
        if (amount < 100)
        {
            return (0, 100);
        }

        var low = 100.0;
        while (true)
        {
            var high = Next(low);
            if (amount < high)
            {
                return (low, high);
            }

            low = high;
        }
    }

    public static string Label(double amount)
    {
        var (low, high) = Of(amount);
        return string.Create(CultureInfo.InvariantCulture, $"{low:0}-{high:0}");
    }

    /// <summary>Reads a label back; false for anything that is not exactly a band of this scheme.</summary>
    public static bool TryParse(string label, out double low, out double high)
    {
        low = high = 0;
        var dash = label.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0
            || !double.TryParse(label[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out low)
            || !double.TryParse(label[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out high)
            || low >= 1e13)
        {
            return false;
        }

        return Of(low) == (low, high);
    }

    private static double Next(double value)
    {
        var decade = Math.Pow(10, Math.Floor(Math.Log10(value) + 1e-9));
        var mantissa = Math.Round(value / decade);
        var index = Array.IndexOf(Steps, mantissa);
        return index == Steps.Length - 1 ? decade * 10 : decade * Steps[index + 1];
    }
}
