using Dapper;
using VrsMsrc.Hub.Nodes;
using VrsMsrc.Hub.Pki;

namespace VrsMsrc.Hub.Storage.Postgres;

/// <summary>Enrolled nodes and their certificates on PostgreSQL, shared by every hub process of the region.</summary>
internal sealed class PostgresNodeRegistry(PostgresDatabase database, TimeProvider time) : INodeRegistry
{
    public void Register(IssuedCertificate certificate)
    {
        using var connection = database.Open();
        using var tx = connection.BeginTransaction();
        connection.Execute(
            "INSERT INTO nodes (state, enabled, registered_at) VALUES (@State, true, @At) ON CONFLICT (state) DO NOTHING",
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
        var row = connection.QuerySingleOrDefault<(string State, bool Enabled, bool Revoked)?>(
            """
            SELECT c.state, n.enabled, c.revoked_at IS NOT NULL
            FROM certificates c JOIN nodes n ON n.state = c.state WHERE c.serial = @serialHex
            """,
            new { serialHex });
        return row is { } r ? new NodeCertificateStatus(r.State, r.Enabled, r.Revoked) : null;
    }

    public IReadOnlyList<string> Revoke(string state, string reason)
    {
        using var connection = database.Open();
        return connection.Query<string>(
            """
            WITH revoked AS (
                UPDATE certificates SET revoked_at = @At, revocation_reason = @reason
                WHERE state = @state AND revoked_at IS NULL RETURNING serial, issued_at)
            SELECT serial FROM revoked ORDER BY issued_at
            """,
            new { state, reason, At = time.GetUtcNow().ToString("O") }).ToList();
    }

    public string? RevokeSerial(string serialHex, string reason)
    {
        using var connection = database.Open();
        return connection.QuerySingleOrDefault<string>(
            """
            UPDATE certificates SET revoked_at = @At, revocation_reason = @reason
            WHERE serial = @serial AND revoked_at IS NULL RETURNING state
            """,
            new { serial = serialHex.ToUpperInvariant(), reason, At = time.GetUtcNow().ToString("O") });
    }

    public bool SetEnabled(string state, bool enabled)
    {
        using var connection = database.Open();
        return connection.Execute("UPDATE nodes SET enabled = @enabled WHERE state = @state", new { state, enabled }) == 1;
    }

    public IReadOnlyList<CertificateSummary> Certificates(string? state)
    {
        using var connection = database.Open();
        return connection.Query<CertificateSummary>(
            """
            SELECT serial AS Serial, state AS State, not_before AS NotBefore, not_after AS NotAfter, issued_at AS IssuedAt,
                   revoked_at AS RevokedAt, revocation_reason AS RevocationReason
            FROM certificates WHERE (@state::text IS NULL OR state = @state) ORDER BY state, issued_at
            """,
            new { state }).ToList();
    }

    public DateTimeOffset? LastContribution(string state)
    {
        using var connection = database.Open();
        var at = connection.ExecuteScalar<string?>("SELECT MAX(received_at) FROM releases WHERE state = @state", new { state });
        return at is null ? null : DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture);
    }

    public void RecordHello(string state, VrsMsrc.Contracts.V1.HelloRequest hello)
    {
        using var connection = database.Open();
        connection.Execute(NodeHelloSql.Record, NodeHelloSql.Parameters(state, hello, time));
    }

    public IReadOnlyDictionary<string, NodeHello> Hellos()
    {
        using var connection = database.Open();
        return connection.Query<NodeHello>(NodeHelloSql.Latest).ToDictionary(h => h.State, StringComparer.Ordinal);
    }

    public IReadOnlyList<NodeSummary> List()
    {
        using var connection = database.Open();
        return connection.Query<NodeSummary>(
            """
            SELECT n.state AS State, n.enabled AS Enabled, n.registered_at AS RegisteredAt,
                   (SELECT MAX(not_after) FROM certificates c WHERE c.state = n.state AND c.revoked_at IS NULL) AS CertificateNotAfter,
                   (SELECT COUNT(*) FROM releases r WHERE r.state = n.state) AS Releases,
                   (SELECT MAX(received_at) FROM releases r WHERE r.state = n.state) AS LastReleaseAt,
                   (SELECT MAX(seq) FROM release_chain h WHERE h.state = n.state) AS ChainLength,
                   (SELECT entry_hash FROM release_chain h WHERE h.state = n.state ORDER BY seq DESC LIMIT 1) AS ChainHead,
                   (SELECT COALESCE(SUM(cells), 0) FROM releases r WHERE r.state = n.state) AS CellsReceived
            FROM nodes n ORDER BY n.state
            """).ToList();
    }
}
