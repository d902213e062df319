using System.Globalization;
using System.Text;

namespace VrsMsrc.System.Tests.Infrastructure;

/// <summary>Reproducible incident files of input format v1, with common and rare categories so that some cells fall below the threshold.</summary>
internal static class SyntheticIncidents
{
    public static readonly string[] Corridors = ["central_mediterranean", "eastern_mediterranean", "western_balkan"];
    private static readonly string[] Nationalities = ["SYR", "AFG", "TUN", "EGY", "BGD", "NPL"];
    private static readonly string[] BorderTypes = ["sea", "land"];
    private static readonly string[] Contexts = ["entry_between_bcp", "at_sea", "inland"];

    /// <summary>Rows "REF-{state}-{i}" spread over the <paramref name="years"/> years up to 2024-12.</summary>
    public static string Csv(string state, int rows, int seed, int years = 2)
    {
        var random = new Random(seed);
        var csv = new StringBuilder("ref,detected_on,border_type,context,corridor,nationality,migrants,facilitators,dead_missing\n");
        for (var i = 0; i < rows; i++)
        {
            var day = new DateOnly(2025 - years, 1, 1).AddDays(random.Next(365 * years));
            // NPL is rare on purpose: its cells stay below the threshold.
            var nationality = random.Next(40) == 0 ? "NPL" : Nationalities[random.Next(Nationalities.Length - 1)];
            csv.Append(CultureInfo.InvariantCulture,
                $"REF-{state}-{i:D6},{day:yyyy-MM-dd},{BorderTypes[random.Next(2)]},{Contexts[random.Next(3)]},{Corridors[random.Next(3)]},{nationality},{random.Next(1, 40)},{random.Next(0, 3)},{random.Next(0, 2)}\n");
        }

        return csv.ToString();
    }
}
