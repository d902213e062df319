using System.Globalization;
using Microsoft.Extensions.FileProviders;
using VrsMsrc.Contracts.Catalogue;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Accounts;
using VrsMsrc.Hub.Audit;
using VrsMsrc.Hub.Configuration;
using VrsMsrc.Hub.Exchange;
using VrsMsrc.Hub.Nodes;
using VrsMsrc.Hub.Pki;
using VrsMsrc.Hub.Security;
using VrsMsrc.Hub.Trends;

namespace VrsMsrc.Hub.Dashboard;

/// <summary>
/// The analysts' dashboard: a static bundle (hub/dashboard, built at 'dotnet build' into the output's
/// dashboard/ folder) that asks the Trends and Session JSON API with the analyst's session token, and the
/// one question the Trends API has no answer for, the operators' node status. Served on the analyst
/// listener only: UseListenerSeparation answers 404 to anything but the Exchange on the exchange listener.
/// </summary>
internal static class DashboardServices
{
    public const string BasePath = "/dashboard";
    public const string NodesPath = "/api/v1/dashboard/nodes";
    public const string CataloguePath = "/api/v1/dashboard/catalogue";

    /// <summary>Where the bundle is: beside the hub's binary, as the build and publish put it.</summary>
    public static string BundleDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "dashboard");

    public static IServiceCollection AddDashboard(this IServiceCollection services)
    {
        services.AddGrpc().AddServiceOptions<ExchangeService>(o => o.Interceptors.Add<HelloRecorder>());
        return services;
    }

    public static WebApplication MapDashboard(this WebApplication app)
    {
        if (Directory.Exists(BundleDirectory))
        {
            var files = new PhysicalFileProvider(BundleDirectory);
            app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, RequestPath = BasePath });
            app.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = files,
                RequestPath = BasePath,
                OnPrepareResponse = c =>
                {
                    var headers = c.Context.Response.Headers;
                    // Hashed file names change with every build; index.html must be asked for again each time.
                    headers.CacheControl = c.File.Name == "index.html" ? "no-cache" : "public, max-age=31536000, immutable";
                    // The browser itself holds the page to the hub: no script, style, font or call elsewhere
                    // (ECharts sets inline styles on its SVG; the CSV downloads are blob: links).
                    headers.ContentSecurityPolicy = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
                    headers.XContentTypeOptions = "nosniff";
                },
            });
        }
        else
        {
            app.Logger.LogWarning("No dashboard bundle in {Directory}: build the hub with the .NET SDK and npm to serve it", BundleDirectory);
        }

        app.MapGet("/", () => Results.Redirect(BasePath + "/"));
        app.MapGet(NodesPath, NodeStatus).RequireAuthorization(SecurityServices.AnalystPolicy);
        // The trends page offers the catalogue's measures and dimensions rather than a copy of them.
        app.MapGet(CataloguePath, () => Results.Json(ReleaseCatalogue.All.Select(t => new { t.Name, t.Dimensions, t.Measures })))
            .RequireAuthorization(SecurityServices.AnalystPolicy);
        return app;
    }

    /// <summary>
    /// Per node: enrolment, certificate expiry, coverage from the trends engine, and what the node said at
    /// its last Hello. Operators only: it describes the network, not the data; audited like every question.
    /// </summary>
    private static IResult NodeStatus(HttpContext context, INodeRegistry registry, TrendQueries trends,
        SharingRule sharing, IAuditLog audit, HubSettings settings, TimeProvider time)
    {
        var identity = AnalystClaims.Identity(context.User);
        var actor = AuditActor.User(identity.Account);
        if (identity.Role != Role.Operator)
        {
            audit.Append(actor, "query.nodes", AuditOutcome.Refused, AuditChain.Detail(("reason", "node status is for operators")));
            return Results.Problem("node status is for operators", statusCode: StatusCodes.Status403Forbidden);
        }

        var now = time.GetUtcNow();
        var coverage = trends.Coverage(new CoverageRequest(), sharing.ScopeFor(identity)).Nodes.ToDictionary(n => n.State, StringComparer.Ordinal);
        var hello = registry.Hellos();
        var nodes = registry.List().Select(n =>
        {
            var covered = coverage.GetValueOrDefault(n.State);
            var said = hello.GetValueOrDefault(n.State);
            return new NodeStatusRow(
                n.State, n.Enabled, n.CertificateNotAfter,
                n.CertificateNotAfter is { } t
                    ? CertificateStatus.Of(null, DateTimeOffset.Parse(t, CultureInfo.InvariantCulture), false, now, settings.Security.CertificateWarningDays)
                    : "no valid certificate",
                n.Releases, n.LastReleaseAt, covered?.FirstMonth, covered?.LastMonth, covered?.Months ?? 0, covered?.Gaps ?? 0, covered?.MonthsBehind,
                said?.At, said?.SoftwareVersion, said?.OutboxDepth);
        }).ToList();
        audit.Append(actor, "query.nodes", AuditOutcome.Ok, AuditChain.Detail(("rows", nodes.Count)));
        return Results.Json(new NodeStatusResponse(now.ToString("O"), nodes));
    }
}

internal sealed record NodeStatusRow(
    string State, bool Enabled, string? CertificateNotAfter, string CertificateStatus, long Releases, string? LastReleaseAt,
    string? FirstMonth, string? LastMonth, int Months, int Gaps, int? MonthsBehind,
    string? HelloAt, string? SoftwareVersion, long? OutboxDepth);

internal sealed record NodeStatusResponse(string AsOf, IReadOnlyList<NodeStatusRow> Nodes);
