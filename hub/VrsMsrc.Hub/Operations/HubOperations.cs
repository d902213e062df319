using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using VrsMsrc.Contracts.Operations;
using VrsMsrc.Contracts.Storage;
using VrsMsrc.Hub.Accounts;
using VrsMsrc.Hub.Configuration;
using VrsMsrc.Hub.Security;
using VrsMsrc.Hub.Storage;

namespace VrsMsrc.Hub.Operations;

/// <summary>What a hub operator runs the hub with: configuration check, backup and restore, freshness, logs, health, metrics.</summary>
internal static class HubOperations
{
    /// <summary>What 'vrs-hub backup' copies: the database, the regional PKI (with the CA key) and hub.json.</summary>
    public static readonly BackupPlan Backup = new(
        "hub", "hub.db", ["hub.json", "pki/ca.crt", "pki/ca.key", "pki/hub.crt", "pki/hub.key", "pki/issued/"],
        ["nodes", "certificates", "releases", "month_cells", "corridors", "accounts", "tokens", "audit", "release_chain", "alerts", "alert_runs"],
        typeof(HubDatabase).Assembly);

    private const string MetricsPolicy = "metrics";

    public static Command Config(Option<DirectoryInfo> dataDir) =>
        ConfigCheck.Create(dataDir, d => HubPaths.Existing(d).Settings, HubSettings.Rules);

    public static Command BackupCommand(Option<DirectoryInfo> dataDir) => BackupCommands.Backup(Backup, dataDir, dir =>
        HubSettings.Load(HubPaths.Existing(dir)).Storage.Provider == StorageSettings.Postgres
            ? "this hub keeps its data in PostgreSQL: back the database up with pg_dump or your PostgreSQL backups, and pki/ and hub.json as files (docs/postgres.md)"
            : null);

    public static Command RestoreCommand(Option<DirectoryInfo> dataDir) => BackupCommands.Restore(Backup, dataDir, restored =>
    {
        var admin = AdminContext.Open(restored);
        var audit = admin.Audit.Verify();
        return $"{admin.Registry.List().Count} nodes enrolled; audit log {(audit.Intact ? "intact" : "BROKEN at entry " + audit.Break!.Seq)}, head {audit.HeadHash}. "
            + "Start the hub: nodes send again what it accepted after the backup (their outboxes keep every release until the hub's receipt).";
    });

    public static Command FreshnessCommand(Option<DirectoryInfo> dataDir) => Freshness.Command(dataDir);

    /// <summary>Logging, health checks (gRPC and HTTP), metrics and audit retention of 'serve'.</summary>
    public static void AddHubOperations(this WebApplicationBuilder builder, HubPaths paths, HubSettings settings)
    {
        builder.Logging.AddServiceLog(settings.Operations);
        builder.Services.AddGrpcHealthChecks()
            .AddCheck<DatabaseReadiness>("database")
            .AddCheck("certificate", () => CertificateReadiness(paths));
        builder.Services.AddSingleton(sp => ActivatorUtilities.CreateInstance<HubMetrics>(sp, paths));
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(HubMetrics.MeterName)
            // Request durations by route: Trends.* is query latency, Exchange/Push is push latency.
            .AddMeter("Microsoft.AspNetCore.Hosting")
            .AddPrometheusExporter());
        builder.Services.AddHostedService<RetentionService>();
        builder.Services.AddAuthorizationBuilder().AddPolicy(MetricsPolicy, policy => policy
            .AddAuthenticationSchemes(BearerAuthenticationHandler.SchemeName).RequireRole(Roles.Operator));
    }

    /// <summary>
    /// On the analyst listener: gRPC health (grpc.health.v1.Health), /healthz (the process answers) and
    /// /readyz (database and certificates usable) for load balancers and probes, unauthenticated; /metrics
    /// for Prometheus with an operator's API token ('vrs-hub user token').
    /// </summary>
    public static void MapHubOperations(this WebApplication app)
    {
        app.Services.GetRequiredService<HubMetrics>();
        app.MapGrpcHealthChecksService();
        app.MapHealthChecks("/healthz", new() { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new() { ResponseWriter = WriteReadinessAsync });
        app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(MetricsPolicy);
    }

    private static Task WriteReadinessAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "text/plain; charset=utf-8";
        return http.Response.WriteAsync(report.Status == HealthStatus.Healthy
            ? "ready\n"
            : string.Concat(report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => $"{e.Key}: {e.Value.Description}\n")));
    }

    /// <summary>The hub's database (SQLite or PostgreSQL) answers with the schema this software needs.</summary>
    private sealed class DatabaseReadiness(HubStores stores) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                return Task.FromResult(stores.SchemaProblem() is { } problem ? HealthCheckResult.Unhealthy(problem) : HealthCheckResult.Healthy());
            }
            catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
            {
                return Task.FromResult(HealthCheckResult.Unhealthy($"database unreachable: {e.Message}"));
            }
        }
    }

    private static HealthCheckResult CertificateReadiness(HubPaths paths)
    {
        using var hub = VrsMsrc.Contracts.Security.RegionalTrust.LoadCertificate(paths.HubCertificate);
        var now = DateTime.UtcNow;
        return now < hub.NotBefore.ToUniversalTime() || now > hub.NotAfter.ToUniversalTime()
            ? HealthCheckResult.Unhealthy($"pki/hub.crt is not valid now (until {hub.NotAfter.ToUniversalTime():u}): vrs-hub pki rotate")
            : HealthCheckResult.Healthy();
    }
}
