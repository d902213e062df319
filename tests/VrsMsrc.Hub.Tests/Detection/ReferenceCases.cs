using System.Globalization;
using VrsMsrc.Contracts.Text;
using VrsMsrc.Hub.Trends.Detection;

namespace VrsMsrc.Hub.Tests.Detection;

/// <summary>One row of an R reference output (farrington.csv or ears.csv).</summary>
internal sealed record ReferenceRow(string Series, string Method, string Month, double? Observed, double? UpperBound, bool? Alarm);

/// <summary>
/// The R reference outputs: shared/reference beside the repository (route totals) and the extra cases under
/// Detection/Cases, both found from the repository root because the test project cannot copy them.
/// </summary>
internal static class ReferenceCases
{
    public const string Routes = "routes";

    // Initialised in this order: the case names need the root.
    public static string RepositoryRoot { get; } = FindRoot();

    public static IReadOnlyList<string> Names { get; } =
        [Routes, .. Directory.GetDirectories(CasesDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    public static string SharedReference => Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "reference"));

    public static string CasesDirectory => Path.Combine(RepositoryRoot, "tests", "VrsMsrc.Hub.Tests", "Detection", "Cases");

    public static string SeriesFile(string name) =>
        name == Routes ? Path.Combine(SharedReference, "route_series.csv") : Path.Combine(CasesDirectory, name, "series.csv");

    /// <summary>The farrington or ears output of a case, or null when the case has none.</summary>
    public static string? OutputFile(string name, string kind)
    {
        var path = name == Routes
            ? Path.Combine(SharedReference, $"route_{kind}.csv")
            : Path.Combine(CasesDirectory, name, $"{kind}.csv");
        return File.Exists(path) ? path : null;
    }

    public static IReadOnlyList<CountSeries> Series(string name)
    {
        var path = SeriesFile(name);
        using var reader = File.OpenText(path);
        return SeriesCsv.Read(reader, path);
    }

    public static IReadOnlyList<ReferenceRow> Output(string path)
    {
        using var reader = File.OpenText(path);
        var csv = new CsvReader(reader);
        var header = csv.ReadHeader();
        int Column(string column) => Array.IndexOf(header, column);
        var method = Column("method");
        var rows = new List<ReferenceRow>();
        while (csv.ReadRecord() is { } r)
        {
            rows.Add(new ReferenceRow(
                r[Column("series")],
                method < 0 ? "" : r[method],
                r[Column("month")],
                Number(r[Column("observed")]),
                Number(r[Column("upperbound")]),
                r[Column("alarm")] switch { "1" => true, "0" => false, "NA" => null, var a => throw new FormatException(a) }));
        }

        return rows;
    }

    private static double? Number(string text) =>
        text == "NA" ? null : double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>Bounds agree within 1e-4 relative, or 1e-6 absolute near zero (R rounds to 6 decimals).</summary>
    public static bool Close(double expected, double actual) =>
        Math.Abs(expected - actual) <= Math.Max(1e-6, 1e-4 * Math.Abs(expected));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "VrsMsrc.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no VrsMsrc.sln above {AppContext.BaseDirectory}");
    }
}
