using Dapper;
using Npgsql;

namespace VrsMsrc.System.Tests.Infrastructure;

/// <summary>
/// An empty schema of its own in the PostgreSQL server named by VRS_TEST_POSTGRES (which .ci/run starts),
/// dropped afterwards. Without the variable a test that needs it fails, saying why; it is never skipped.
/// </summary>
internal sealed class TestPostgres : IDisposable
{
    public const string Variable = "VRS_TEST_POSTGRES";

    private readonly string _server;
    private readonly string _schema = "systest_" + Guid.NewGuid().ToString("N");

    public TestPostgres()
    {
        _server = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{Variable} is not set: this test runs hubs on PostgreSQL. Start a test server with " +
                "'eval \"$(deploy/postgres/start-test-postgres.sh)\"' (as .ci/run does) and run the tests again.");
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
