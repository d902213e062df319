using System.CommandLine;
using OpenTelemetry.Metrics;
using VrsMsrc.Contracts.Operations;
using VrsMsrc.Node.Configuration;
using VrsMsrc.Node.Ingest;
using VrsMsrc.Node.Storage;

namespace VrsMsrc.Node.Operations;

/// <summary>What a national IT team runs a node with: configuration check, backup and restore, logs, health, metrics, retention.</summary>
internal static class NodeOperations
{
    /// <summary>What 'vrs-node backup' copies: the database, the identity (key, certificate, CA) and node.json.</summary>
    public static readonly BackupPlan Backup = new(
        "node", "node.db", ["node.json", "node.key", "node.csr", "node.crt", "ca.crt"],
        ["incidents", "migrants", "facilitators", "incident_legs", "months", "outbox", "transparency_log", "imports", "api_keys"],
        typeof(NodeDatabase).Assembly);

    public static Command Config(Option<DirectoryInfo> dataDir) =>
        ConfigCheck.Create(dataDir, d => NodePaths.Existing(d).Settings, NodeSettings.Rules);

    public static Command BackupCommand(Option<DirectoryInfo> dataDir) => BackupCommands.Backup(Backup, dataDir);

    public static Command RestoreCommand(Option<DirectoryInfo> dataDir) => BackupCommands.Restore(Backup, dataDir, restored =>
    {
        var node = NodeContext.Open(restored);
        var counts = node.Outbox.Counts();
        return $"Node {node.Settings.State}: {counts.Delivered} releases delivered, {counts.Pending} pending as of the backup. "
            + "Start the node: releases delivered after the backup are sent again and the hub answers DUPLICATE. "
            + "Then import again every file imported after the backup, and release (see docs/operator-guide.md, Disaster recovery).";
    });

    /// <summary>Logging, health checks, metrics and retention of 'serve'.</summary>
    public static void AddNodeOperations(this WebApplicationBuilder builder, NodeContext node)
    {
        builder.Logging.AddServiceLog(node.Settings.Operations);
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseReadiness>("database")
            .AddCheck<CertificateReadiness>("certificate");
        builder.Services.AddSingleton<NodeMetrics>();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(NodeMetrics.MeterName)
            .AddPrometheusExporter());
        builder.Services.AddHostedService<RetentionService>();
    }

    /// <summary>
    /// /readyz (database and certificate usable) beside the ingest API's /healthz, and /metrics for
    /// Prometheus. /metrics asks for an API key like the ingest API: the listener may face the network.
    /// </summary>
    public static void MapNodeOperations(this WebApplication app)
    {
        app.Services.GetRequiredService<NodeMetrics>();
        app.MapHealthChecks("/readyz", new() { ResponseWriter = Readiness.WriteAsync });
        app.UseWhen(http => http.Request.Path.StartsWithSegments("/metrics", StringComparison.Ordinal), metrics => metrics.Use(async (http, next) =>
        {
            var node = http.RequestServices.GetRequiredService<NodeContext>();
            var header = http.Request.Headers.Authorization.ToString();
            if (new ApiKeys(node.Database, node.Time).Authenticate(header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..].Trim() : null) is null)
            {
                http.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await http.Response.WriteAsync("a valid API key is required: Authorization: Bearer <key> (vrs-node apikey add)");
                return;
            }

            await next(http);
        }));
        app.MapPrometheusScrapingEndpoint("/metrics");
    }
}
