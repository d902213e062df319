using System.Diagnostics.Metrics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Dapper;
using VrsMsrc.Node.Configuration;

namespace VrsMsrc.Node.Operations;

/// <summary>
/// The node's metrics. Counts of imports, releases and the outbox are read from node.db when Prometheus
/// scrapes, not counted in memory: imports and releases are run by other processes ('vrs-node import',
/// 'release', a cron job) than the 'serve' that exposes them, and a restart must not reset them.
/// </summary>
internal sealed class NodeMetrics
{
    public const string MeterName = "VrsMsrc.Node";

    /// <summary>Pushes happen in 'serve' (and 'push'), so they are measured where they happen.</summary>
    private static readonly Meter Process = new(MeterName);

    public static readonly Histogram<double> PushDuration = Process.CreateHistogram<double>(
        "vrs.node.push.duration", "s", "Time from the first chunk of a release to the hub's receipt, per attempt, by outcome");

    public static readonly Counter<long> PushFailures = Process.CreateCounter<long>(
        "vrs.node.push.failures", "{attempt}", "Push attempts that failed, by gRPC status code");

    public NodeMetrics(NodeContext node, IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableCounter("vrs.node.import.rows", () => ImportRows(node), "{row}", "Rows imported (files and ingest API), by outcome: stored or rejected");
        meter.CreateObservableCounter("vrs.node.import.batches", () => Scalar(node, "SELECT COUNT(*) FROM imports"), "{batch}", "Import files and ingest API batches");
        meter.CreateObservableCounter("vrs.node.releases", () => Scalar(node, "SELECT COUNT(*) FROM outbox"), "{release}", "Releases built");
        meter.CreateObservableGauge("vrs.node.outbox.depth", () => Outbox(node), "{release}", "Releases by outbox state: pending, delivered, dead");
        meter.CreateObservableGauge("vrs.node.outbox.oldest.age", () => OldestPendingAge(node), "s", "Age of the oldest release still pending (0 when none is)");
        meter.CreateObservableGauge("vrs.node.certificate.remaining", () => CertificateDaysLeft(node), "d", "Days until node.crt expires");
    }

    private static long Scalar(NodeContext node, string sql)
    {
        using var connection = node.Database.Open(readOnly: true);
        return connection.ExecuteScalar<long>(sql);
    }

    private static IEnumerable<Measurement<long>> ImportRows(NodeContext node)
    {
        using var connection = node.Database.Open(readOnly: true);
        var (stored, rejected) = connection.QuerySingle<(long, long)>("SELECT COALESCE(SUM(rows_stored), 0), COALESCE(SUM(rows_rejected), 0) FROM imports");
        return [new(stored, new KeyValuePair<string, object?>("outcome", "stored")), new(rejected, new KeyValuePair<string, object?>("outcome", "rejected"))];
    }

    private static IEnumerable<Measurement<long>> Outbox(NodeContext node)
    {
        var counts = node.Outbox.Counts();
        return
        [
            new(counts.Pending, new KeyValuePair<string, object?>("state", "pending")),
            new(counts.Delivered, new KeyValuePair<string, object?>("state", "delivered")),
            new(counts.Dead, new KeyValuePair<string, object?>("state", "dead")),
        ];
    }

    private static double OldestPendingAge(NodeContext node) => node.Outbox.Counts().OldestPendingAt is { } oldest
        ? Math.Max(0, (node.Time.GetUtcNow() - DateTimeOffset.Parse(oldest, CultureInfo.InvariantCulture)).TotalSeconds)
        : 0;

    private static IEnumerable<Measurement<double>> CertificateDaysLeft(NodeContext node)
    {
        if (!File.Exists(node.Paths.Certificate))
        {
            return [];
        }

        using var certificate = VrsMsrc.Contracts.Security.RegionalTrust.LoadCertificate(node.Paths.Certificate);
        return [new((certificate.NotAfter.ToUniversalTime() - node.Time.GetUtcNow().UtcDateTime).TotalDays)];
    }
}
