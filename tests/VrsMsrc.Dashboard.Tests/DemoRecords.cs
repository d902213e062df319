using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace VrsMsrc.Dashboard.Tests;

/// <summary>
/// The demo's data (deploy/demo.sh): the Frontex monthly detections 2009-2025, split over the reporting
/// states by deploy/sample-data/frontex-to-incidents.sh, one incidents file per state.
/// <para>
/// Frontex publishes detections only: no origins or destinations (legs), profiles, fees or smugglers, so
/// the flows' legs, fees and profiles pages would show nothing. For those pages alone, <see cref="SyntheticFor"/>
/// adds a small synthetic set to ITA's 2023-2024 incidents (the only data not from Frontex): each incident
/// again with an origin and a destination (same detections, now with a leg), migrant records with sex,
/// age band and fee, and facilitator records with a role.
/// </para>
/// </summary>
internal static class DemoRecords
{
    public static readonly string[] States = ["ESP", "GRC", "HRV", "ITA", "POL", "ROU"];

    /// <summary>The state whose incidents of <see cref="SyntheticFrom"/>..<see cref="SyntheticTo"/> get synthetic legs and people.</summary>
    public const string SyntheticState = "ITA";
    public const string SyntheticFrom = "2023-01";
    public const string SyntheticTo = "2024-12";

    private static readonly string[] Origins = ["LBY", "TUN", "TUR", "EGY"];

    private static readonly string[] Sexes = ["female", "male"];
    private static readonly string[] AgeBands = ["14-17", "18-24", "25-34", "35-49"];
    private static readonly string[] Roles = ["organiser", "transporter", "boat_crew", "guide"];
    private static readonly string[] Currencies = ["EUR", "USD"];

    /// <summary>Runs the demo's conversion into <paramref name="outDir"/>: incidents-{state}.csv for each of <see cref="States"/>.</summary>
    public static async Task SplitAsync(string outDir)
    {
        var repo = Repository();
        var split = Process.Start(new ProcessStartInfo("bash")
        {
            ArgumentList =
            {
                Path.Combine(repo, "deploy", "sample-data", "frontex-to-incidents.sh"),
                Path.Combine(repo, "deploy", "sample-data", "frontex_ibc_monthly_2009-2025.csv"),
                outDir,
            },
            RedirectStandardError = true,
        })!;
        await split.WaitForExitAsync();
        Assert.True(split.ExitCode == 0, await split.StandardError.ReadToEndAsync());
    }

    /// <summary>The first and last month of a state's incidents file (column detected_on, YYYY-MM).</summary>
    public static (string First, string Last) MonthsOf(string incidentsFile)
    {
        var months = File.ReadLines(incidentsFile).Skip(1).Select(l => l.Split(',')[1]).ToList();
        return (months.Min(StringComparer.Ordinal)!, months.Max(StringComparer.Ordinal)!);
    }

    /// <summary>
    /// For the incidents of <see cref="SyntheticFrom"/>..<see cref="SyntheticTo"/> in <paramref name="incidentsFile"/>:
    /// the same incidents with an origin and the state as destination (to import over them), synthetic
    /// migrants (one row per incident, its whole count, with sex, age band and fee) and facilitators (one per
    /// incident, with a role).
    /// </summary>
    public static (string Legs, string Migrants, string Facilitators) SyntheticFor(string state, string incidentsFile, int seed)
    {
        var random = new Random(seed);
        var legs = new StringBuilder(File.ReadLines(incidentsFile).First() + ",origin,destination\n");
        var migrants = new StringBuilder("incident_ref,count,nationality,sex,age_band,fee_amount,fee_currency\n");
        var facilitators = new StringBuilder("incident_ref,count,nationality,sex,role\n");
        foreach (var fields in File.ReadLines(incidentsFile).Skip(1).Select(l => l.Split(',')))
        {
            var (reference, month, nationality, count) = (fields[0], fields[1], fields[4], fields[5]);
            if (string.CompareOrdinal(month, SyntheticFrom) < 0 || string.CompareOrdinal(month, SyntheticTo) > 0 || count is "0")
            {
                continue;
            }

            legs.Append(CultureInfo.InvariantCulture, $"{string.Join(',', fields)},{Origins[random.Next(Origins.Length)]},{state}\n");
            migrants.Append(CultureInfo.InvariantCulture,
                $"{reference},{count},{nationality},{Sexes[random.Next(2)]},{AgeBands[random.Next(AgeBands.Length)]},{500 * (1 + random.Next(8))},{Currencies[random.Next(2)]}\n");
            facilitators.Append(CultureInfo.InvariantCulture, $"{reference},1,{nationality},male,{Roles[random.Next(Roles.Length)]}\n");
        }

        return (legs.ToString(), migrants.ToString(), facilitators.ToString());
    }

    private static string Repository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "VrsMsrc.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("the repository (VrsMsrc.sln) is not above the test's folder");
    }
}
