using System.Data.Common;
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

    /// <summary>Entries in the hub's chain for this node; equals the node's transparency log length when both agree.</summary>
    public long? ChainLength { get; set; }

    /// <summary>Hash of the newest chain entry: what 'vrs-node status' and 'vrs-node log --verify' show as the node's head.</summary>
    public string? ChainHead { get; set; }

    /// <summary>Cells in the releases accepted from this node: a counter whose rate is the ingest rate.</summary>
    public long CellsReceived { get; set; }
}

/// <summary>The node_hello statements, the same SQL on SQLite and PostgreSQL.</summary>
internal static class NodeHelloSql
{
    public const string Record =
        """
        INSERT INTO node_hello (state, at, software_version, code_lists_version, outbox_depth)
        VALUES (@state, @at, @SoftwareVersion, @CodeListsVersion, @OutboxDepth)
        ON CONFLICT(state) DO UPDATE SET at = excluded.at, software_version = excluded.software_version,
            code_lists_version = excluded.code_lists_version, outbox_depth = excluded.outbox_depth
        """;

    public const string Latest =
        "SELECT state, at, software_version AS SoftwareVersion, code_lists_version AS CodeListsVersion, outbox_depth AS OutboxDepth FROM node_hello";

    public static object Parameters(string state, VrsMsrc.Contracts.V1.HelloRequest hello, TimeProvider time) =>
        new { state, at = time.GetUtcNow().ToString("O"), hello.SoftwareVersion, hello.CodeListsVersion, hello.OutboxDepth };
}

/// <summary>A node's last Hello as stored; settable properties because Dapper maps the database's loose types onto them.</summary>
internal sealed class NodeHello
{
    public string State { get; set; } = "";
    public string At { get; set; } = "";
    public string SoftwareVersion { get; set; } = "";
    public string CodeListsVersion { get; set; } = "";
    public long OutboxDepth { get; set; }
}

/// <summary>A row of 'vrs-hub pki list'.</summary>
internal sealed class CertificateSummary
{
    public string Serial { get; set; } = "";
    public string State { get; set; } = "";
    public string NotBefore { get; set; } = "";
    public string NotAfter { get; set; } = "";
    public string IssuedAt { get; set; } = "";
    public string? RevokedAt { get; set; }
    public string? RevocationReason { get; set; }
}

/// <summary>Enrolled nodes and the certificates signed for them.</summary>
internal interface INodeRegistry
{
    void Register(IssuedCertificate certificate);

    /// <summary>Null when the serial was never issued by this hub.</summary>
    NodeCertificateStatus? Find(string serialHex);

    /// <summary>Revokes every unrevoked certificate of a node; returns their serials.</summary>
    IReadOnlyList<string> Revoke(string state, string reason);

    /// <summary>Revokes one certificate; returns its state, or null when no unrevoked certificate has that serial.</summary>
    string? RevokeSerial(string serialHex, string reason);

    /// <summary>False when the state is not enrolled.</summary>
    bool SetEnabled(string state, bool enabled);

    IReadOnlyList<NodeSummary> List();

    IReadOnlyList<CertificateSummary> Certificates(string? state);

    /// <summary>When the state's newest release arrived, or null if it never sent one.</summary>
    DateTimeOffset? LastContribution(string state);

    /// <summary>Keeps what a node said of itself at its latest accepted Hello (software, outbox depth), replacing the one before.</summary>
    void RecordHello(string state, VrsMsrc.Contracts.V1.HelloRequest hello);

    /// <summary>The latest Hello of each node that has said one, by state.</summary>
    IReadOnlyDictionary<string, NodeHello> Hellos();
}

/// <summary>
/// The registry's SQL and mapping, written once: Dapper runs it on SQLite and PostgreSQL alike. Subclasses give the
/// connection and the one statement that truly differs (revoking a node's certificates and listing them at once).
/// </summary>
internal abstract class NodeRegistryBase(TimeProvider time) : INodeRegistry
{
    protected TimeProvider Time => time;

    public void Register(IssuedCertificate certificate)
    {
        using var connection = Open(readOnly: false);
        using var tx = connection.BeginTransaction();
        connection.Execute(
            "INSERT INTO nodes (state, enabled, registered_at) VALUES (@State, @Enabled, @At) ON CONFLICT (state) DO NOTHING",
            new { certificate.State, Enabled = true, At = time.GetUtcNow().ToString("O") }, tx);
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
        using var connection = Open(readOnly: false);
        var row = connection.QuerySingleOrDefault<CertificateStatusRow>(
            """
            SELECT c.state AS State, n.enabled AS Enabled, c.revoked_at IS NOT NULL AS Revoked
            FROM certificates c JOIN nodes n ON n.state = c.state WHERE c.serial = @serialHex
            """,
            new { serialHex });
        return row is null ? null : new NodeCertificateStatus(row.State, row.Enabled, row.Revoked);
    }

    /// <summary>Revokes every unrevoked certificate of a node; each database has its own way to do it in one step.</summary>
    public abstract IReadOnlyList<string> Revoke(string state, string reason);

    public string? RevokeSerial(string serialHex, string reason)
    {
        using var connection = Open(readOnly: false);
        return connection.QuerySingleOrDefault<string>(
            """
            UPDATE certificates SET revoked_at = @At, revocation_reason = @reason
            WHERE serial = @serial AND revoked_at IS NULL RETURNING state
            """,
            new { serial = serialHex.ToUpperInvariant(), reason, At = time.GetUtcNow().ToString("O") });
    }

    public bool SetEnabled(string state, bool enabled)
    {
        using var connection = Open(readOnly: false);
        return connection.Execute("UPDATE nodes SET enabled = @enabled WHERE state = @state", new { state, enabled }) == 1;
    }

    public IReadOnlyList<CertificateSummary> Certificates(string? state)
    {
        using var connection = Open(readOnly: true);
        return connection.Query<CertificateSummary>(
            """
            SELECT serial AS Serial, state AS State, not_before AS NotBefore, not_after AS NotAfter, issued_at AS IssuedAt,
                   revoked_at AS RevokedAt, revocation_reason AS RevocationReason
            FROM certificates WHERE (CAST(@state AS text) IS NULL OR state = @state) ORDER BY state, issued_at
            """,
            new { state }).ToList();
    }

    public DateTimeOffset? LastContribution(string state)
    {
        using var connection = Open(readOnly: true);
        var at = connection.ExecuteScalar<string?>("SELECT MAX(received_at) FROM releases WHERE state = @state", new { state });
        return at is null ? null : DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture);
    }

    public void RecordHello(string state, VrsMsrc.Contracts.V1.HelloRequest hello)
    {
        using var connection = OpenForStatus();
        connection.Execute(NodeHelloSql.Record, NodeHelloSql.Parameters(state, hello, time));
    }

    public IReadOnlyDictionary<string, NodeHello> Hellos()
    {
        using var connection = Open(readOnly: true);
        return connection.Query<NodeHello>(NodeHelloSql.Latest).ToDictionary(h => h.State, StringComparer.Ordinal);
    }

    public IReadOnlyList<NodeSummary> List()
    {
        using var connection = Open(readOnly: false);
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

    /// <summary>A connection; readOnly where the database can enforce it (SQLite), a hint elsewhere.</summary>
    protected abstract DbConnection Open(bool readOnly);

    /// <summary>For what a node says of itself (its latest Hello): status, which the next Hello replaces, not data that delivery rests on.</summary>
    protected virtual DbConnection OpenForStatus() => Open(readOnly: false);

    /// <summary>Settable so Dapper maps SQLite's integers and PostgreSQL's booleans alike.</summary>
    private sealed class CertificateStatusRow
    {
        public string State { get; set; } = "";
        public bool Enabled { get; set; }
        public bool Revoked { get; set; }
    }
}

/// <summary>Enrolled nodes and their certificates in the hub's SQLite file.</summary>
internal sealed class SqliteNodeRegistry(HubDatabase database, TimeProvider time) : NodeRegistryBase(time)
{
    // SQLite has no UPDATE in a WITH clause: the serials are read, then revoked, in one transaction.
    public override IReadOnlyList<string> Revoke(string state, string reason)
    {
        using var connection = database.Open();
        using var tx = connection.BeginTransaction();
        var serials = connection.Query<string>(
            "SELECT serial FROM certificates WHERE state = @state AND revoked_at IS NULL ORDER BY issued_at", new { state }, tx).ToList();
        connection.Execute(
            "UPDATE certificates SET revoked_at = @At, revocation_reason = @reason WHERE state = @state AND revoked_at IS NULL",
            new { state, reason, At = Time.GetUtcNow().ToString("O") }, tx);
        tx.Commit();
        return serials;
    }

    protected override DbConnection Open(bool readOnly) => database.Open(readOnly);

    /// <summary>
    /// Commits without waiting for the disk (synchronous=NORMAL in WAL mode): a crash may lose the latest
    /// Hellos, never the file's consistency, and the next full commit or checkpoint makes them durable. Each
    /// delivery round starts with a Hello, and it no longer waits for an fsync before its first push.
    /// </summary>
    protected override DbConnection OpenForStatus()
    {
        var connection = database.Open();
        connection.Execute("PRAGMA synchronous=NORMAL");
        return connection;
    }
}
