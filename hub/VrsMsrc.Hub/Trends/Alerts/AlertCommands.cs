using System.CommandLine;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Contracts.V1;

namespace VrsMsrc.Hub.Trends.Alerts;

/// <summary>vrs-hub alerts: the stored alerts, most important first; --refresh runs a detection pass first.</summary>
internal static class AlertCommands
{
    public static Command Create(Option<DirectoryInfo> dataDir)
    {
        var from = new Option<string>("--from") { Description = "First month, YYYY-MM (default: 12 months before the last month with data)", DefaultValueFactory = _ => "" };
        var to = new Option<string>("--to") { Description = "Last month, YYYY-MM", DefaultValueFactory = _ => "" };
        var states = new Option<string[]>("--state") { Description = "Only these states' alerts (repeatable)" };
        var regional = new Option<bool>("--regional") { Description = "Only alerts on regional series (all states summed)" };
        var limit = new Option<int>("--limit") { Description = "At most this many alerts", DefaultValueFactory = _ => AlertsQuery.DefaultLimit };
        var refresh = new Option<bool>("--refresh") { Description = "Run a detection pass over every watched series first" };
        var format = CommandLine.FormatOption("table", "csv", "json");
        var command = new Command("alerts", "Emerging-trend alerts (Farrington Flexible, EARS C2), most important first")
        {
            dataDir, from, to, states, regional, limit, refresh, format,
        };
        command.SetHandler(async (parse, ct) =>
        {
            var trends = LocalTrends.Open(parse.GetValue(dataDir)!);
            if (parse.GetValue(refresh))
            {
                if (!Console.IsErrorRedirected)
                {
                    await Console.Error.WriteLineAsync("Detecting over every watched series…");
                }

                var run = await trends.RefreshAlertsAsync(ct);
                if (!Console.IsErrorRedirected)
                {
                    await Console.Error.WriteLineAsync($"{run.SeriesWatched} series watched, {run.Alerts} alerts, {(run.FinishedAt - run.StartedAt).TotalSeconds:0.0} s");
                }
            }

            var request = new AlertsRequest
            {
                From = parse.GetValue(from)!, To = parse.GetValue(to)!, Limit = parse.GetValue(limit), RegionalOnly = parse.GetValue(regional),
            };
            request.States.AddRange(parse.GetValue(states) ?? []);
            var response = trends.Ask("query.alerts", request, (q, scope) => q.Alerts(request, scope), r => r.Alerts.Count);

            var output = parse.GetValue(format)!;
            string[] columns = ["state", "table", "measure", "dims", "month", "observed", "upperbound", "score", "method"];
            if (output == "table")
            {
                // People also want to see why an alert ranks where it does.
                columns = [.. columns, "persistence", "states"];
            }

            TabularOutput.Write(Console.Out, output, columns, response.Alerts.Select(a => new object?[]
            {
                a.State, a.Table, a.Measure, a.Dims, a.Month, a.Observed, a.Upperbound, a.Score, a.Method, a.Persistence, a.StatesAlarming,
            }[..columns.Length]));
            if (output == "table" && !Console.IsErrorRedirected)
            {
                await Console.Error.WriteLineAsync(response.ComputedAt is ""
                    ? "No detection pass has run yet: use --refresh, or wait for the next release."
                    : $"{response.Alerts.Count} of {response.Total} alerts in {response.FirstMonth}..{response.LastMonth}; pass of {response.ComputedAt} over {response.SeriesWatched} series. Empty state: a regional series.");
            }

            return 0;
        });
        return command;
    }
}
