using System.Globalization;
using System.Text;

namespace VrsMsrc.Dashboard.Tests;

/// <summary>
/// Reproducible input files of format v1 for one state: incidents with routes (legs) and corridors,
/// migrants with sex, age band and fees, and facilitators with roles. About ten incidents a month spread
/// over several nationalities leave some months of each nationality below the threshold (suppressed),
/// and NPL migrants, one or two at a time, are never published. ITA's last month is a surge, so that the
/// detection pass has alerts to rank.
/// </summary>
internal static class DemoRecords
{
    private static readonly string[] Corridors = ["central_mediterranean", "eastern_mediterranean", "western_balkan"];
    private static readonly string[] Nationalities = ["SYR", "AFG", "TUN", "EGY"];
    private static readonly string[] Origins = ["LBY", "TUR", "TUN", "EGY"];
    private static readonly string[] Sexes = ["female", "male"];
    private static readonly string[] AgeBands = ["14-17", "18-24", "25-34", "35-49"];
    private static readonly string[] Roles = ["organiser", "transporter", "boat_crew", "guide"];
    private static readonly string[] Currencies = ["EUR", "USD"];

    public const string First = "2023-01";
    public const string Last = "2024-12";

    public static (string Incidents, string Migrants, string Facilitators) For(string state, int seed)
    {
        var random = new Random(seed);
        var incidents = new StringBuilder("ref,detected_on,border_type,transport_mode,corridor,origin,destination,nationality,migrants,facilitators\n");
        var migrants = new StringBuilder("incident_ref,count,nationality,sex,age_band,fee_amount,fee_currency\n");
        var facilitators = new StringBuilder("incident_ref,count,nationality,sex,role\n");
        var n = 0;
        for (var month = new DateOnly(2023, 1, 1); month <= new DateOnly(2024, 12, 1); month = month.AddMonths(1))
        {
            var surge = state == "ITA" && month == new DateOnly(2024, 12, 1) ? 6 : 1;
            var incidentsThisMonth = (8 + random.Next(6)) * surge;
            for (var i = 0; i < incidentsThisMonth; i++)
            {
                var reference = $"{state}-{n++:D5}";
                var day = month.AddDays(random.Next(28));
                var rare = random.Next(4) == 0;
                var nationality = rare ? "NPL" : Nationalities[random.Next(Nationalities.Length)];
                var people = rare ? random.Next(1, 3) : random.Next(5, 30);
                var origin = Origins[random.Next(Origins.Length)];
                incidents.Append(CultureInfo.InvariantCulture,
                    $"{reference},{day:yyyy-MM-dd},{(random.Next(3) == 0 ? "land" : "sea")},{(random.Next(3) == 0 ? "road" : "maritime")},{Corridors[random.Next(Corridors.Length)]},{origin},{state},{nationality},{people},1\n");
                migrants.Append(CultureInfo.InvariantCulture,
                    $"{reference},{people},{nationality},{Sexes[random.Next(2)]},{AgeBands[random.Next(AgeBands.Length)]},{500 * (1 + random.Next(8))},{Currencies[random.Next(2)]}\n");
                facilitators.Append(CultureInfo.InvariantCulture,
                    $"{reference},1,{Nationalities[random.Next(Nationalities.Length)]},male,{Roles[random.Next(Roles.Length)]}\n");
            }
        }

        return (incidents.ToString(), migrants.ToString(), facilitators.ToString());
    }
}
