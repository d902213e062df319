using Dapper;
using Npgsql;
using VrsMsrc.Tests.Shared;

namespace VrsMsrc.System.Tests.Infrastructure;

/// <summary>
/// An empty schema of its own in the test PostgreSQL server (<see cref="TestPostgresServer"/>), dropped afterwards.
/// </summary>
internal sealed class TestPostgres : IDisposable
{
    private readonly string _server;
    private readonly string _schema = "systest_" + Guid.NewGuid().ToString("N");

    public TestPostgres()
    {
        _server = TestPostgresServer.ConnectionString;
        using var connection = new NpgsqlConnection(_server);
        connection.Execute($"CREATE SCHEMA {_schema}");
        ConnectionString = new NpgsqlConnectionStringBuilder(_server) { SearchPath = _schema }.ToString();
    }

    /// <summary>The server with this schema first on the search path: what a hub's hub.json names.</summary>
    public string ConnectionString { get; }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        using var connection = new NpgsqlConnection(_server);
        connection.Execute($"DROP SCHEMA {_schema} CASCADE");
    }
}
