using System.Security.Cryptography.X509Certificates;
using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using VrsMsrc.Contracts.Storage;
using VrsMsrc.Node.Configuration;
using VrsMsrc.Node.Storage;

namespace VrsMsrc.Node.Operations;

/// <summary>/readyz's answer: "ready", or each check that is not, with its reason (503).</summary>
internal static class Readiness
{
    public static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "text/plain; charset=utf-8";
        return http.Response.WriteAsync(report.Status == HealthStatus.Healthy
            ? "ready\n"
            : string.Concat(report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => $"{e.Key}: {e.Value.Description}\n")));
    }
}

/// <summary>The database opens and has this software's schema.</summary>
internal sealed class DatabaseReadiness(NodeContext node) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var connection = node.Database.Open(readOnly: true);
        var schema = connection.ExecuteScalar<long>("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
        var latest = SqliteDatabase.Scripts(typeof(NodeDatabase).Assembly).Max(s => s.Version);
        return Task.FromResult(schema == latest
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"schema {schema}, this software needs {latest}"));
    }
}

/// <summary>The node is enrolled with a certificate that is valid now: without one it cannot deliver.</summary>
internal sealed class CertificateReadiness(NodeContext node) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(node.Paths.Certificate))
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("not enrolled: no node.crt (vrs-node enrol)"));
        }

        using var certificate = VrsMsrc.Contracts.Security.RegionalTrust.LoadCertificate(node.Paths.Certificate);
        var now = node.Time.GetUtcNow();
        return Task.FromResult(now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime()
            ? HealthCheckResult.Unhealthy($"node.crt is not valid now (valid {certificate.NotBefore.ToUniversalTime():u} to {certificate.NotAfter.ToUniversalTime():u})")
            : HealthCheckResult.Healthy());
    }
}
