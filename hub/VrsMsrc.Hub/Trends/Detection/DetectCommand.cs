using System.CommandLine;
using System.Globalization;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Contracts.Text;

namespace VrsMsrc.Hub.Trends.Detection;

/// <summary>
/// vrs-hub detect: runs one detector over series from a CSV file, with no store involved, so that analysts
/// can try the alert methods on their own data and the results can be checked against R's surveillance package
/// (same columns as the reference outputs in shared/reference).
/// </summary>
internal static class DetectCommand
{
    public static Command Create()
    {
        var input = new Option<FileInfo>("--input") { Description = "CSV with the columns series,month,observed", Required = true, HelpName = "SERIES.csv" };
        var method = new Option<string>("--method") { Description = "Detection method", Required = true };
        method.AcceptOnlyFromAmong([.. TrendDetectors.Names]);
        var from = new Option<string>("--from") { Description = "First month to judge", DefaultValueFactory = _ => "2014-01", HelpName = "YYYY-MM" };
        var command = new Command("detect", "Flag emerging trends in monthly count series (Farrington Flexible or EARS C1-C3)")
        {
            input, method, from,
        };
        command.SetHandler((parse, _) =>
        {
            var file = parse.GetValue(input)!;
            var name = parse.GetValue(method)!;
            var fromText = parse.GetValue(from)!;
            if (!Months.TryParse(fromText, out var firstMonth))
            {
                throw new CommandException($"--from: '{fromText}' is not a month (YYYY-MM)", 2);
            }

            if (!file.Exists)
            {
                throw new CommandException($"{file}: no such file", 2);
            }

            IReadOnlyList<CountSeries> series;
            using (var reader = file.OpenText())
            {
                try
                {
                    series = SeriesCsv.Read(reader, file.ToString());
                }
                catch (InvalidDataException e)
                {
                    throw new CommandException(e.Message, 2);
                }
            }

            var detector = TrendDetectors.Create(name);
            var ears = detector is EarsC c ? c.Variant.ToString() : null;
            string[] columns = ears is null
                ? ["series", "month", "observed", "upperbound", "alarm"]
                : ["series", "method", "month", "observed", "upperbound", "alarm"];
            TabularOutput.Write(Console.Out, "csv", columns, series.SelectMany(s => Rows(s, detector, firstMonth, ears)));
            return Task.FromResult(0);
        });
        return command;
    }

    private static IEnumerable<object?[]> Rows(CountSeries series, ITrendDetector detector, DateOnly firstMonth, string? ears)
    {
        for (var i = 0; i < series.Observed.Count; i++)
        {
            var month = series.Month(i);
            if (month < firstMonth)
            {
                continue;
            }

            var verdict = detector.Evaluate(series.Observed, i);
            var cells = new List<object?> { series.Name };
            if (ears is not null)
            {
                cells.Add(ears);
            }

            cells.Add(Months.Format(month));
            cells.Add(Number(series.Observed[i]));

            // Rounded as the reference script rounds, so that outputs compare as text too.
            cells.Add(Number(verdict.UpperBound is { } bound ? Math.Round(bound, 6) : null));
            cells.Add(verdict.Alarm switch { true => "1", false => "0", null => "NA" });
            yield return [.. cells];
        }
    }

    private static string Number(double? value) =>
        value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "NA";
}
