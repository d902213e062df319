using System.Security.Cryptography.X509Certificates;
using Dapper;
using VrsMsrc.Node.Configuration;

namespace VrsMsrc.Node.Outbox;

/// <summary>What an operator checks first: is data in, released, delivered, and is the certificate alive.</summary>
internal static class NodeStatus
{
    public static IReadOnlyList<(string Label, string Value)> Read(NodeContext node)
    {
        using var connection = node.Database.Open(readOnly: true);
        var incidents = connection.QuerySingle<(long Count, string? First, string? Last)>("SELECT COUNT(*), MIN(month), MAX(month) FROM incidents");
        var migrants = connection.QuerySingle<(long Rows, long? Persons)>("SELECT COUNT(*), SUM(count) FROM migrants");
        var facilitators = connection.QuerySingle<(long Rows, long? Persons)>("SELECT COUNT(*), SUM(count) FROM facilitators");
        var rejects = connection.QuerySingle<(long Rows, string? LastFile)>(
            "SELECT COALESCE(SUM(rows_rejected), 0), (SELECT rejects_file FROM imports WHERE rejects_file IS NOT NULL ORDER BY id DESC LIMIT 1) FROM imports");
        var months = connection.QuerySingle<(long Released, long Changed)>("SELECT COALESCE(SUM(version > 0), 0), COALESCE(SUM(changed), 0) FROM months");
        var lastImport = connection.QuerySingleOrDefault<(string File, string Kind, string At, long Rejected)?>(
            "SELECT file, kind, imported_at, rows_rejected FROM imports ORDER BY id DESC LIMIT 1");
        var lastRelease = connection.QuerySingleOrDefault<string?>("SELECT MAX(created_at) FROM outbox");
        var outbox = node.Outbox.Counts();
        var (logLength, logHead) = node.TransparencyLog.Head();
        var refused = node.Outbox.DeadLetters()
            .Select(d => ("refused release", $"{d.ReleaseId} of {d.CreatedAt} ({d.Months} months): {d.Reason}"));
        return
        [
            ("state", node.Settings.State),
            ("hub", node.Settings.HubUrl ?? "(not set)"),
            ("certificate", Certificate(node.Paths)),
            ("incidents", $"{incidents.Count} (months {incidents.First ?? "-"} .. {incidents.Last ?? "-"})"),
            ("migrant rows", $"{migrants.Rows} ({migrants.Persons ?? 0} persons)"),
            ("facilitator rows", $"{facilitators.Rows} ({facilitators.Persons ?? 0} persons)"),
            ("rejected rows", rejects.Rows == 0 ? "none" : $"{rejects.Rows} in all imports; latest list {rejects.LastFile}"),
            ("months released", $"{months.Released}; {months.Changed} changed since the last release"),
            ("last import", lastImport is { } i ? $"{i.Kind} from {i.File} at {i.At}, {i.Rejected} rows rejected" : "none"),
            ("last release", lastRelease ?? "none"),
            ("outbox", $"{outbox.Pending} pending (oldest {outbox.OldestPendingAt ?? "-"}), {outbox.Delivered} delivered, {outbox.Dead} refused by the hub"),
            ("last delivery", outbox.LastDeliveredAt ?? "never"),
            ("last error", outbox.LastError ?? "none"),
            ("transparency log", logLength == 0 ? "empty" : $"{logLength} entries, head {logHead} (compare with 'vrs-hub nodes')"),
            .. refused,
        ];
    }

    private static string Certificate(NodePaths paths)
    {
        if (!File.Exists(paths.Certificate))
        {
            return "not enrolled (send node.csr to the hub operator)";
        }

        using var certificate = X509CertificateLoader.LoadCertificateFromFile(paths.Certificate);
        var daysLeft = (certificate.NotAfter.ToUniversalTime() - DateTime.UtcNow).TotalDays;
        return daysLeft < 0 ? $"EXPIRED on {certificate.NotAfter:yyyy-MM-dd}"
            : daysLeft < 30 ? $"expires in {daysLeft:F0} days ({certificate.NotAfter:yyyy-MM-dd}): ask the hub operator for a new one"
            : $"valid until {certificate.NotAfter:yyyy-MM-dd}";
    }
}
