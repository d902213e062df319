using System.CommandLine;
using System.Globalization;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Trends.Fees;

namespace VrsMsrc.Hub.Trends;

/// <summary>
/// vrs-hub query flows|fees|profiles|coverage: the same engine as the Trends API, reading the hub's store
/// directly. In table format a last line says which states and months the answer covers.
/// </summary>
internal static class RangeQueryCommands
{
    public static IEnumerable<Command> Create(Option<DirectoryInfo> dataDir) => [Flows(dataDir), Fees(dataDir), Profiles(dataDir), Coverage(dataDir)];

    private sealed record RangeOptions(Option<string> From, Option<string> To, Option<string[]> States, Option<string> Format)
    {
        public static RangeOptions Create() => new(
            new Option<string>("--from") { Description = "First month, YYYY-MM", DefaultValueFactory = _ => "" },
            new Option<string>("--to") { Description = "Last month, YYYY-MM", DefaultValueFactory = _ => "" },
            new Option<string[]>("--state") { Description = "Only these states (repeatable)" },
            CommandLine.FormatOption("table", "csv", "json"));

        public void AddTo(Command command)
        {
            command.Options.Add(From);
            command.Options.Add(To);
            command.Options.Add(States);
            command.Options.Add(Format);
        }
    }

    private static Command Flows(Option<DirectoryInfo> dataDir)
    {
        var range = RangeOptions.Create();
        var of = new Option<string>("--of") { Description = "legs (graph edges), corridors, or countries (graph nodes)", DefaultValueFactory = _ => "legs" };
        of.AcceptOnlyFromAmong("legs", "corridors", "countries");
        var mode = new Option<string>("--transport-mode") { Description = "Only legs travelled this way", DefaultValueFactory = _ => "" };
        var border = new Option<string>("--border-type") { Description = "Only corridors crossed at this border type", DefaultValueFactory = _ => "" };
        var top = new Option<int>("--top") { Description = "Rows per list", DefaultValueFactory = _ => Trends.Flows.FlowsQuery.DefaultTop };
        var command = new Command("flows", "Legs of journeys as a weighted graph, and the corridors, over a range of months") { dataDir, of, mode, border, top };
        range.AddTo(command);
        command.SetHandler((parse, _) =>
        {
            var request = new FlowsRequest
            {
                From = parse.GetValue(range.From)!, To = parse.GetValue(range.To)!, TransportMode = parse.GetValue(mode)!,
                BorderType = parse.GetValue(border)!, Top = parse.GetValue(top),
            };
            request.States.AddRange(parse.GetValue(range.States) ?? []);
            var response = LocalTrends.Open(parse.GetValue(dataDir)!).Ask("query.flows", request, (q, scope) => q.Flows(request, scope), r => r.Legs.Count + r.Corridors.Count);
            var format = parse.GetValue(range.Format)!;
            switch (parse.GetValue(of))
            {
                case "corridors":
                    TabularOutput.Write(Console.Out, format, ["corridor", "migrants", .. CompletenessColumns],
                        response.Corridors.Select(c => new object?[] { c.Corridor, c.Migrants, c.States, c.PublishedMonths, c.UnpublishedMonths, c.Flag }));
                    Footer(format, response.CorridorCoverage);
                    break;
                case "countries":
                    TabularOutput.Write(Console.Out, format, ["country", "outgoing", "incoming"],
                        response.Countries.Select(c => new object?[] { c.Country, c.Outgoing, c.Incoming }));
                    Footer(format, response.Coverage);
                    break;
                default:
                    TabularOutput.Write(Console.Out, format, ["from_country", "to_country", "migrants", .. CompletenessColumns],
                        response.Legs.Select(l => new object?[] { l.FromCountry, l.ToCountry, l.Migrants, l.States, l.PublishedMonths, l.UnpublishedMonths, l.Flag }));
                    Footer(format, response.Coverage);
                    break;
            }

            return Task.FromResult(0);
        });
        return command;
    }

    private static Command Fees(Option<DirectoryInfo> dataDir)
    {
        var range = RangeOptions.Create();
        var origin = new Option<string>("--origin") { Description = "Country where journeys began, ISO3", DefaultValueFactory = _ => "" };
        var destination = new Option<string>("--destination") { Description = "Intended destination, ISO3", DefaultValueFactory = _ => "" };
        var currency = new Option<string>("--currency") { Description = "Currency paid, ISO 4217", DefaultValueFactory = _ => "" };
        var quantiles = new Option<double[]>("--quantile") { Description = "Quantiles to estimate, in (0, 1) (repeatable; default 0.25 0.5 0.75)" };
        var command = new Command("fees", "Fee quantiles per origin, destination and currency, estimated from the fee bands") { dataDir, origin, destination, currency, quantiles };
        range.AddTo(command);
        command.SetHandler((parse, _) =>
        {
            var request = new FeesRequest
            {
                From = parse.GetValue(range.From)!, To = parse.GetValue(range.To)!, Origin = parse.GetValue(origin)!,
                Destination = parse.GetValue(destination)!, Currency = parse.GetValue(currency)!,
            };
            request.States.AddRange(parse.GetValue(range.States) ?? []);
            request.Quantiles.AddRange(parse.GetValue(quantiles) ?? []);
            var response = LocalTrends.Open(parse.GetValue(dataDir)!).Ask("query.fees", request, (q, scope) => q.Fees(request, scope), r => r.Estimates.Count);
            var asked = request.Quantiles.Count == 0 ? FeesQuery.DefaultQuantiles : request.Quantiles;
            var format = parse.GetValue(range.Format)!;
            TabularOutput.Write(Console.Out, format,
                ["origin", "destination", "currency", "reports", .. asked.Select(q => string.Create(CultureInfo.InvariantCulture, $"p{q * 100:0.##}")), .. CompletenessColumns],
                response.Estimates.Select(e => Row(e, asked)));
            Footer(format, response.Coverage);
            return Task.FromResult(0);
        });
        return command;
    }

    private static object?[] Row(FeeEstimate e, IEnumerable<double> quantiles) =>
    [
        e.Origin, e.Destination, e.Currency, e.Reports,
        .. quantiles.Select(q => (object?)e.Quantiles.FirstOrDefault(x => x.Quantile == q)?.Amount),
        e.States, e.PublishedMonths, e.UnpublishedMonths, e.Flag,
    ];

    private static Command Profiles(Option<DirectoryInfo> dataDir)
    {
        var range = RangeOptions.Create();
        var subject = new Option<string>("--of") { Description = "migrants or smugglers", DefaultValueFactory = _ => "migrants" };
        subject.AcceptOnlyFromAmong("migrants", "smugglers");
        var measure = new Option<string>("--measure") { Description = "migrants, unaccompanied_minors or facilitators (default: the subject's count)", DefaultValueFactory = _ => "" };
        var by = new Option<string[]>("--by") { Description = "Dimensions (repeatable; default sex and age_band for migrants, role for smugglers)" };
        var where = new Option<string[]>("--where") { Description = "Filter DIM=VALUE (repeatable)" };
        var command = new Command("profiles", "Profiles of smuggled migrants or of smugglers over a range of months") { dataDir, subject, measure, by, where };
        range.AddTo(command);
        command.SetHandler((parse, _) =>
        {
            var request = new ProfilesRequest
            {
                Subject = parse.GetValue(subject)!, Measure = parse.GetValue(measure)!, From = parse.GetValue(range.From)!, To = parse.GetValue(range.To)!,
            };
            request.By.AddRange(parse.GetValue(by) ?? []);
            request.Where.AddRange(parse.GetValue(where) ?? []);
            request.States.AddRange(parse.GetValue(range.States) ?? []);
            var response = LocalTrends.Open(parse.GetValue(dataDir)!).Ask("query.profiles", request, (q, scope) => q.Profiles(request, scope), r => r.Rows.Count);
            var format = parse.GetValue(range.Format)!;
            TabularOutput.Write(Console.Out, format, ["group", "value", "share", .. CompletenessColumns],
                response.Rows.Select(r => new object?[]
                {
                    string.Join(';', r.Dims.Select(d => $"{d.Key}={d.Value}")), r.Value, r.Share, r.States, r.PublishedMonths, r.UnpublishedMonths, r.Flag,
                }));
            Footer(format, response.Coverage);
            return Task.FromResult(0);
        });
        return command;
    }

    private static Command Coverage(Option<DirectoryInfo> dataDir)
    {
        var states = new Option<string[]>("--state") { Description = "Only these states (repeatable)" };
        var format = CommandLine.FormatOption("table", "csv", "json");
        var command = new Command("coverage", "Months released per node, gaps and freshness") { dataDir, states, format };
        command.SetHandler((parse, _) =>
        {
            var request = new CoverageRequest();
            request.States.AddRange(parse.GetValue(states) ?? []);
            var response = LocalTrends.Open(parse.GetValue(dataDir)!).Ask("query.coverage", request, (q, scope) => q.Coverage(request, scope), r => r.Nodes.Count);
            TabularOutput.Write(Console.Out, parse.GetValue(format)!,
                ["state", "first_month", "last_month", "months", "gaps", "releases", "last_release_at", "months_behind"],
                response.Nodes.Select(n => new object?[] { n.State, n.FirstMonth, n.LastMonth, n.Months, n.Gaps, n.Releases, n.LastReleaseAt, n.MonthsBehind }));
            return Task.FromResult(0);
        });
        return command;
    }

    private static readonly string[] CompletenessColumns = ["states", "published_months", "unpublished_months", "flag"];

    /// <summary>What the figures rest on, for people; scripts read it from the JSON of the API.</summary>
    private static void Footer(string format, AnswerCoverage coverage)
    {
        if (format != "table")
        {
            return;
        }

        Console.Out.WriteLine(coverage.States.Count == 0
            ? $"covers: no state released {coverage.Table} data in the range"
            : $"covers: {string.Join(' ', coverage.States)}, {coverage.FirstMonth}..{coverage.LastMonth}, table {coverage.Table}: " +
              $"{coverage.ReleasedMonths} state-months released, {coverage.MissingMonths} not released; flag 'partial': some released months published no cell (lower bound)");
    }
}
