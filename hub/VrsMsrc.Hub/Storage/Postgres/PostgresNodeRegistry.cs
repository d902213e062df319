using System.Data.Common;
using Dapper;
using VrsMsrc.Hub.Nodes;

namespace VrsMsrc.Hub.Storage.Postgres;

/// <summary>Enrolled nodes and their certificates on PostgreSQL, shared by every hub process of the region.</summary>
internal sealed class PostgresNodeRegistry(PostgresDatabase database, TimeProvider time) : NodeRegistryBase(time)
{
    // One statement revokes and lists, so a certificate issued by another hub process meanwhile is either in both or neither.
    public override IReadOnlyList<string> Revoke(string state, string reason)
    {
        using var connection = database.Open();
        return connection.Query<string>(
            """
            WITH revoked AS (
                UPDATE certificates SET revoked_at = @At, revocation_reason = @reason
                WHERE state = @state AND revoked_at IS NULL RETURNING serial, issued_at)
            SELECT serial FROM revoked ORDER BY issued_at
            """,
            new { state, reason, At = Time.GetUtcNow().ToString("O") }).ToList();
    }

    protected override DbConnection Open(bool readOnly) => database.Open();
}
