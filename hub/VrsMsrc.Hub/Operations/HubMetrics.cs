using System.Diagnostics.Metrics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Dapper;
using VrsMsrc.Hub.Audit;
using VrsMsrc.Hub.Configuration;
using VrsMsrc.Hub.Nodes;
using VrsMsrc.Hub.Storage;

namespace VrsMsrc.Hub.Operations;

/// <summary>
/// The hub's metrics, read from the hub's stores when Prometheus scrapes: what they count (releases,
/// refusals, logins) is also done by other processes ('vrs-hub pki sign', 'user', queries on the hub's
/// machine), and a restart must not reset a counter. Query and push latency come from ASP.NET Core's
/// own request-duration histogram (http_server_request_duration_seconds, by http_route).
/// </summary>
internal sealed class HubMetrics
{
    public const string MeterName = "VrsMsrc.Hub";

    private readonly Lock _tallyLock = new();
    private readonly Dictionary<(string Action, string Outcome), long> _audit = [];
    private long _auditSeq;

    private readonly Lock _snapshotLock = new();
    private (DateTimeOffset At, IReadOnlyList<NodeSummary> Nodes, IReadOnlyList<StateFreshness> Freshness)? _snapshot;

    public HubMetrics(IMeterFactory meters, ICellStore cells, INodeRegistry registry, IAuditLog audit, HubSettings settings, HubPaths paths, TimeProvider time)
    {
        var meter = meters.Create(MeterName);

        // One scrape observes every instrument within milliseconds: they share one read of the registry and
        // of the coverage instead of each reading the database again.
        (IReadOnlyList<NodeSummary> Nodes, IReadOnlyList<StateFreshness> Freshness) Snapshot()
        {
            lock (_snapshotLock)
            {
                var now = time.GetUtcNow();
                if (_snapshot is not { } kept || now - kept.At > TimeSpan.FromSeconds(1))
                {
                    kept = (now, registry.List(), Freshness.Read(cells, registry, settings, time));
                    _snapshot = kept;
                }

                return (kept.Nodes, kept.Freshness);
            }
        }

        meter.CreateObservableCounter("vrs.hub.releases", () => Snapshot().Nodes.Select(n => State(n.Releases, n.State)), "{release}",
            "Releases accepted, by state");
        meter.CreateObservableCounter("vrs.hub.ingest.cells", () => Snapshot().Nodes.Select(n => State(n.CellsReceived, n.State)), "{cell}",
            "Cells in accepted releases, by state: rate() of it is the ingest rate");
        meter.CreateObservableCounter("vrs.hub.audit.entries", () => AuditTally(audit), "{entry}",
            "Audit log entries by action and outcome; outcome=\"refused\" are rejects (refused handshakes, pushes, logins, accesses)");
        meter.CreateObservableGauge("vrs.hub.state.lag", () => Snapshot().Freshness.Select(f => State(f.LagMonths, f.State)), "{month}",
            "Complete months missing since each state's newest month");
        meter.CreateObservableGauge("vrs.hub.state.months_covered", () => Snapshot().Freshness.Select(f => State(f.MonthsCovered, f.State)), "{month}",
            "Months each state has released");
        meter.CreateObservableGauge("vrs.hub.state.last_release.age", () => Snapshot().Freshness
            .Where(f => f.LastReleaseAt is not null).Select(f => State((time.GetUtcNow() - f.LastReleaseAt!.Value).TotalSeconds, f.State)), "s",
            "Time since each state's last accepted release");
        meter.CreateObservableGauge("vrs.hub.certificate.remaining", () => CertificateDaysLeft(Snapshot().Nodes, paths, time), "d",
            "Days until a certificate expires: the regional CA, the hub's, and each node's newest unrevoked one");
    }

    private static Measurement<T> State<T>(T value, string state)
        where T : struct => new(value, new KeyValuePair<string, object?>("state", state));

    /// <summary>Counts entries after the last one counted: one pass over the log at the first scrape, then only what is new.</summary>
    private List<Measurement<long>> AuditTally(IAuditLog audit)
    {
        lock (_tallyLock)
        {
            while (audit.Read(new AuditFilter(AfterSeq: _auditSeq, Limit: 10_000)) is { Count: > 0 } entries)
            {
                foreach (var entry in entries)
                {
                    _audit[(entry.Action, entry.Outcome)] = _audit.GetValueOrDefault((entry.Action, entry.Outcome)) + 1;
                }

                _auditSeq = entries[^1].Seq;
            }

            return _audit.Select(a => new Measurement<long>(a.Value,
                new KeyValuePair<string, object?>("action", a.Key.Action), new KeyValuePair<string, object?>("outcome", a.Key.Outcome))).ToList();
        }
    }

    private static List<Measurement<double>> CertificateDaysLeft(IReadOnlyList<NodeSummary> nodes, HubPaths paths, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var result = new List<Measurement<double>>();
        foreach (var (name, file) in new[] { ("ca", paths.CaCertificate), ("hub", paths.HubCertificate) })
        {
            using var certificate = VrsMsrc.Contracts.Security.RegionalTrust.LoadCertificate(file);
            result.Add(new((certificate.NotAfter.ToUniversalTime() - now.UtcDateTime).TotalDays, new KeyValuePair<string, object?>("certificate", name)));
        }

        result.AddRange(nodes.Where(n => n.CertificateNotAfter is not null).Select(n => new Measurement<double>(
            (DateTimeOffset.Parse(n.CertificateNotAfter!, CultureInfo.InvariantCulture) - now).TotalDays,
            new KeyValuePair<string, object?>("certificate", "node:" + n.State))));
        return result;
    }
}
