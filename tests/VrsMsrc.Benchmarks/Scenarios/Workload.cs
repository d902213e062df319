using System.Globalization;
using System.Text;

namespace VrsMsrc.Benchmarks.Scenarios;

/// <summary>
/// Synthetic but realistically shaped node data: incidents over ten years (2015–2024), each with ten
/// migrant rows; 40 nationalities, 8 corridors, journeys with at most one transit, fees for a third.
/// The same seed gives the same files, so project and baseline read identical rows.
/// </summary>
internal sealed class Workload
{
    public const string IncidentHeader = "ref,detected_on,border_type,context,transport_mode,corridor,origin,destination,transits,nationality,doc_fraud,doc_type,concealment,dead_missing";
    public const string MigrantHeader = "incident_ref,nationality,sex,age_band,unaccompanied,fee_amount,fee_currency,count";
    public const int MigrantsPerIncident = 10;

    private static readonly string[] Nationalities =
    [
        "AFG", "SYR", "IRQ", "PAK", "BGD", "ERI", "SDN", "SOM", "NGA", "GIN", "CIV", "MLI", "SEN", "GMB", "MAR", "DZA", "TUN", "EGY", "LBY", "TUR",
        "IRN", "IND", "NPL", "LKA", "MMR", "VNM", "CHN", "PHL", "IDN", "KHM", "ETH", "CMR", "COD", "GHA", "YEM", "PSE", "UKR", "GEO", "ALB", "XXX",
    ];

    private static readonly string[] Corridors =
    [
        "central_mediterranean", "eastern_mediterranean", "western_mediterranean", "western_african", "western_balkan", "eastern_borders",
        "southeast_asia_australia", "mekong_thailand",
    ];

    private static readonly string[] Destinations = ["ITA", "GRC", "ESP", "DEU", "FRA", "AUS", "THA", "MYS"];
    private static readonly string[] Transits = ["LBY", "TUR", "MAR", "SRB", "IDN", "", ""];
    private static readonly string[] Sexes = ["male", "male", "female", "other"];
    private static readonly string[] AgeBands = ["0-13", "14-17", "18-24", "25-34", "35-49", "50+"];
    private static readonly string[] Contexts = ["entry_between_bcp", "at_sea", "inland", "entry_at_bcp"];
    private static readonly string[] Modes = ["maritime", "road", "foot", "air"];
    private static readonly string[] Currencies = ["EUR", "USD", "LYD", "TRY"];

    public Workload(DirectoryInfo dir, int migrantRows)
    {
        Incidents = Path.Combine(dir.FullName, "incidents.csv");
        Migrants = Path.Combine(dir.FullName, "migrants.csv");
        IncidentCount = migrantRows / MigrantsPerIncident;
        Write(Incidents, Migrants, "I", IncidentCount, month: null, seed: 42);
    }

    public string Incidents { get; }
    public string Migrants { get; }
    public int IncidentCount { get; }
    public int MigrantRows => IncidentCount * MigrantsPerIncident;

    /// <summary>The month of <see cref="Update"/>'s rows.</summary>
    public const string UpdateMonth = "2024-12";

    /// <summary>Another batch, all in <see cref="UpdateMonth"/>: the usual monthly update.</summary>
    public static (string Incidents, string Migrants) Update(DirectoryInfo dir, int migrantRows)
    {
        var incidents = Path.Combine(dir.FullName, "update-incidents.csv");
        var migrants = Path.Combine(dir.FullName, "update-migrants.csv");
        Write(incidents, migrants, "U", migrantRows / MigrantsPerIncident, month: 119, seed: 7);
        return (incidents, migrants);
    }

    private static void Write(string incidentsPath, string migrantsPath, string prefix, int incidents, int? month, int seed)
    {
        var random = new Random(seed);
        using var incidentsFile = new StreamWriter(incidentsPath, false, Encoding.UTF8, 1 << 16);
        using var migrantsFile = new StreamWriter(migrantsPath, false, Encoding.UTF8, 1 << 16);
        incidentsFile.WriteLine(IncidentHeader);
        migrantsFile.WriteLine(MigrantHeader);
        for (var i = 0; i < incidents; i++)
        {
            var m = month ?? i % 120;
            var day = new DateOnly(2015 + (m / 12), 1 + (m % 12), 1 + random.Next(28));
            var nationality = Pick(random, Nationalities);
            incidentsFile.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{prefix}{i},{day:yyyy-MM-dd},{(random.Next(3) == 0 ? "land" : "sea")},{Pick(random, Contexts)},{Pick(random, Modes)},{Pick(random, Corridors)}," +
                $"{(nationality is "XXX" ? "SYR" : nationality)},{Pick(random, Destinations)},{Pick(random, Transits)},{nationality},none,passport,none,{(random.Next(20) == 0 ? random.Next(1, 5) : 0)}"));
            for (var j = 0; j < MigrantsPerIncident; j++)
            {
                var fee = random.Next(3) == 0 ? (100 + random.Next(9000)).ToString(CultureInfo.InvariantCulture) : "";
                migrantsFile.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{prefix}{i},{(random.Next(5) == 0 ? Pick(random, Nationalities) : nationality)},{Pick(random, Sexes)},{Pick(random, AgeBands)},{(random.Next(10) == 0 ? "true" : "false")},{fee},{(fee.Length > 0 ? Pick(random, Currencies) : "")},1"));
            }
        }
    }

    private static string Pick(Random random, string[] values) => values[random.Next(values.Length)];
}
