using System.CommandLine;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Configuration;
using VrsMsrc.Hub.Storage;

namespace VrsMsrc.Hub.Trends;

/// <summary>vrs-hub query series: the same engine as the Trends API, reading the hub's store directly.</summary>
internal static class QueryCommands
{
    public static Command Create(Option<DirectoryInfo> dataDir)
    {
        var query = new Command("query", "Ask the hub's store a trend question");
        query.Subcommands.Add(Series(dataDir));
        foreach (var command in RangeQueryCommands.Create(dataDir))
        {
            query.Subcommands.Add(command);
        }

        return query;
    }

    private static Command Series(Option<DirectoryInfo> dataDir)
    {
        var table = new Option<string>("--table") { Description = "Catalogue table (default: the one with the fewest dimensions that has the measure, --by and --where)", DefaultValueFactory = _ => "" };
        var measure = new Option<string>("--measure") { Description = "Measure of the table", Required = true };
        var by = new Option<string>("--by") { Description = "Group by state or a dimension of the table", DefaultValueFactory = _ => "" };
        var period = new Option<string>("--period") { Description = "month, quarter or year", DefaultValueFactory = _ => "month" };
        period.AcceptOnlyFromAmong("month", "quarter", "year");
        var from = new Option<string>("--from") { Description = "First month, YYYY-MM", DefaultValueFactory = _ => "" };
        var to = new Option<string>("--to") { Description = "Last month, YYYY-MM", DefaultValueFactory = _ => "" };
        var states = new Option<string[]>("--state") { Description = "Only these states (repeatable)" };
        var where = new Option<string[]>("--where") { Description = "Filter DIM=VALUE (repeatable)" };
        var format = CommandLine.FormatOption("table", "csv", "json");
        var command = new Command("series", "A measure over time, summed per period and group")
        {
            dataDir, table, measure, by, period, from, to, states, where, format,
        };
        command.SetHandler((parse, _) =>
        {
            var paths = HubPaths.Existing(parse.GetValue(dataDir)!);
            var request = new SeriesRequest
            {
                Table = parse.GetValue(table)!,
                Measure = parse.GetValue(measure)!,
                By = parse.GetValue(by)!,
                Period = parse.GetValue(period)!,
                From = parse.GetValue(from)!,
                To = parse.GetValue(to)!,
            };
            request.States.AddRange(parse.GetValue(states) ?? []);
            request.Where.AddRange(parse.GetValue(where) ?? []);
            SeriesResponse response;
            try
            {
                response = new SeriesEngine(new SqliteCellStore(new HubDatabase(paths.Database))).Series(request);
            }
            catch (QueryException e)
            {
                throw new CommandException(e.Message, 2);
            }

            TabularOutput.Write(Console.Out, parse.GetValue(format)!, ["period", "group", "value", "flag"],
                response.Points.Select(p => new object?[] { p.Period, p.Group, p.Flag is "" ? p.Value : null, p.Flag }));
            return Task.FromResult(0);
        });
        return command;
    }
}
