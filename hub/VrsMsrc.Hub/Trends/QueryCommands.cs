using System.CommandLine;
using Grpc.Core;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Contracts.Security;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Security;

namespace VrsMsrc.Hub.Trends;

/// <summary>
/// vrs-hub query series: on the hub's machine the same engine as the Trends API reads the store directly
/// (operator context, audited as cli:&lt;login&gt;); with --url and --token it asks a running hub as an analyst.
/// </summary>
internal static class QueryCommands
{
    public const string TokenVariable = "VRS_TOKEN";

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
        var url = new Option<string?>("--url") { Description = "Ask a running hub's analyst listener instead of reading the store" };
        var token = new Option<string?>("--token") { Description = $"API or session token for --url (default: ${TokenVariable})" };
        var ca = new Option<FileInfo?>("--ca") { Description = "Regional CA certificate to trust the hub by (default: the system trust store)" };
        // With --url no data directory is needed, so this command's --data-dir may be absent; the shared
        // option would refuse to parse without one.
        var localDir = new Option<DirectoryInfo?>(dataDir.Name)
        {
            Description = dataDir.Description,
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(CommandLine.DataDirVariable) is { Length: > 0 } dir ? new DirectoryInfo(dir) : null,
        };
        var command = new Command("series", "A measure over time, summed per period and group")
        {
            localDir, table, measure, by, period, from, to, states, where, format, url, token, ca,
        };
        command.SetHandler(async (parse, ct) =>
        {
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
            var response = parse.GetValue(url) is { } hub
                ? await RemoteAsync(hub, parse.GetValue(token) ?? Environment.GetEnvironmentVariable(TokenVariable), parse.GetValue(ca), request, ct)
                : Local(parse.GetValue(localDir)
                    ?? throw new CommandException($"no data directory: pass --data-dir or set {CommandLine.DataDirVariable} (or ask a running hub with --url)"), request);

            TabularOutput.Write(Console.Out, parse.GetValue(format)!, ["period", "group", "value", "flag"],
                response.Points.Select(p => new object?[] { p.Period, p.Group, p.Flag is "" ? p.Value : null, p.Flag }));
            return 0;
        });
        return command;
    }

    private static SeriesResponse Local(DirectoryInfo dataDir, SeriesRequest request)
    {
        var admin = AdminContext.Open(dataDir);
        var queries = new AuditedQueries(new SeriesEngine(admin.Stores.Cells), admin.Audit);
        try
        {
            // The hub's own operator is not subject to the sharing rule, but is audited like anyone.
            return queries.Series(request, QueryScope.Unrestricted(admin.Actor), admin.Actor);
        }
        catch (QueryException e)
        {
            throw new CommandException(e.Message, 2);
        }
    }

    private static async Task<SeriesResponse> RemoteAsync(string url, string? token, FileInfo? ca, SeriesRequest request, CancellationToken ct)
    {
        if (token is null)
        {
            throw new CommandException($"--url needs a token: pass --token or set {TokenVariable}");
        }

        using var channel = AnalystClient.Open(url, token, ca is null ? null : RegionalTrust.LoadCertificate(ca.FullName));
        try
        {
            return await new Contracts.V1.Trends.TrendsClient(channel).SeriesAsync(request, cancellationToken: ct);
        }
        catch (RpcException e)
        {
            throw new CommandException($"the hub refused: {e.Status.StatusCode}: {e.Status.Detail}",
                e.StatusCode is StatusCode.InvalidArgument ? 2 : e.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied ? 3 : 1);
        }
    }
}
