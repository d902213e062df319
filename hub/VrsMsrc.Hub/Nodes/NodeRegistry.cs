using Dapper;
using VrsMsrc.Hub.Pki;
using VrsMsrc.Hub.Storage;

namespace VrsMsrc.Hub.Nodes;

internal sealed record NodeCertificateStatus(string State, bool NodeEnabled, bool Revoked);

/// <summary>A row of 'vrs-hub nodes'; settable properties because Dapper maps SQLite's loose types onto them.</summary>
internal sealed class NodeSummary
{
    public string State { get; set; } = "";
    public bool Enabled { get; set; }
    public string RegisteredAt { get; set; } = "";
    public string? CertificateNotAfter { get; set; }
    public long Releases { get; set; }
    public string? LastReleaseAt { get; set; }
}

/// <summary>Enrolled nodes and the certificates signed for them.</summary>
internal interface INodeRegistry
{
    void Register(IssuedCertificate certificate);

    /// <summary>Null when the serial was never issued by this hub.</summary>
    NodeCertificateStatus? Find(string serialHex);

    int Revoke(string state);

    IReadOnlyList<NodeSummary> List();
}

internal sealed class SqliteNodeRegistry(HubDatabase database, TimeProvider time) : INodeRegistry
{
    public void Register(IssuedCertificate certificate)
    {
        using var connection = database.Open();
        using var tx = connection.BeginTransaction();
        connection.Execute(
            "INSERT INTO nodes (state, enabled, registered_at) VALUES (@State, 1, @At) ON CONFLICT(state) DO NOTHING",
            new { certificate.State, At = time.GetUtcNow().ToString("O") }, tx);
        connection.Execute(
            """
            INSERT INTO certificates (serial, state, thumbprint, not_before, not_after, issued_at)
            VALUES (@SerialHex, @State, @Thumbprint, @NotBefore, @NotAfter, @At)
            """,
            new
            {
                certificate.SerialHex, certificate.State, certificate.Thumbprint,
                NotBefore = certificate.NotBefore.ToString("O"), NotAfter = certificate.NotAfter.ToString("O"),
                At = time.GetUtcNow().ToString("O"),
            }, tx);
        tx.Commit();
    }

    public NodeCertificateStatus? Find(string serialHex)
    {
        using var connection = database.Open();
        var row = connection.QuerySingleOrDefault<(string State, long Enabled, long Revoked)?>(
            """
            SELECT c.state, n.enabled, c.revoked_at IS NOT NULL
            FROM certificates c JOIN nodes n ON n.state = c.state WHERE c.serial = @serialHex
            """,
            new { serialHex });
        return row is { } r ? new NodeCertificateStatus(r.State, r.Enabled != 0, r.Revoked != 0) : null;
    }

    public int Revoke(string state)
    {
        using var connection = database.Open();
        return connection.Execute(
            "UPDATE certificates SET revoked_at = @At WHERE state = @state AND revoked_at IS NULL",
            new { state, At = time.GetUtcNow().ToString("O") });
    }

    public IReadOnlyList<NodeSummary> List()
    {
        using var connection = database.Open();
        return connection.Query<NodeSummary>(
            """
            SELECT n.state AS State, n.enabled AS Enabled, n.registered_at AS RegisteredAt,
                   (SELECT MAX(not_after) FROM certificates c WHERE c.state = n.state AND c.revoked_at IS NULL) AS CertificateNotAfter,
                   (SELECT COUNT(*) FROM releases r WHERE r.state = n.state) AS Releases,
                   (SELECT MAX(received_at) FROM releases r WHERE r.state = n.state) AS LastReleaseAt
            FROM nodes n ORDER BY n.state
            """).ToList();
    }
}
