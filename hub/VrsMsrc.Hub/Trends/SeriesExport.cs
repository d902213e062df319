using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Audit;
using VrsMsrc.Hub.Security;

namespace VrsMsrc.Hub.Trends;

/// <summary>
/// GET /api/v1/export/series.csv: a series as a CSV download (the `query series --format csv` columns)
/// for analysts' spreadsheets, behind the same accounts, sharing rule and audit as the Trends API.
/// The download name is the caller's choice, so it is checked: a name, never a path.
/// </summary>
internal static partial class SeriesExport
{
    public const string Path = "/api/v1/export/series.csv";

    public static IEndpointConventionBuilder MapSeriesExport(this IEndpointRouteBuilder endpoints) => endpoints.MapGet(Path, (HttpContext http, AuditedQueries queries, SharingRule sharing, IAuditLog audit) =>
    {
        var identity = AnalystClaims.Identity(http.User);
        var actor = AuditActor.User(identity.Account);
        var q = http.Request.Query;
        var name = q["name"].ToString() is { Length: > 0 } n ? n : "series";
        if (!FileName().IsMatch(name) || name.Contains("..", StringComparison.Ordinal))
        {
            audit.Append(actor, "export.series", AuditOutcome.Refused, AuditChain.Detail(("reason", "bad export name"), ("name", name.Length > 128 ? name[..128] : name)));
            return Results.BadRequest("name must be 1-64 letters, digits, '_', '-' or '.', and not a path");
        }

        var request = new SeriesRequest
        {
            Table = q["table"].ToString(), Measure = q["measure"].ToString(), By = q["by"].ToString(),
            Period = q["period"].ToString(), From = q["from"].ToString(), To = q["to"].ToString(),
        };
        request.States.AddRange(q["state"].Where(s => s is not null).Select(s => s!));
        request.Where.AddRange(q["where"].Where(s => s is not null).Select(s => s!));
        SeriesResponse response;
        try
        {
            response = queries.Series(request, sharing.ScopeFor(identity), actor);
        }
        catch (QueryException e)
        {
            return Results.BadRequest(e.Message);
        }
        catch (SharingRefusedException e)
        {
            return Results.Text(e.Message, statusCode: StatusCodes.Status403Forbidden);
        }

        using var csv = new StringWriter(CultureInfo.InvariantCulture);
        TabularOutput.Write(csv, "csv", ["period", "group", "value", "flag"],
            response.Points.Select(p => new object?[] { p.Period, p.Group, p.Flag is "" ? p.Value : null, p.Flag }));
        var file = name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? name : name + ".csv";
        return Results.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv", file);
    });

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex FileName();
}
