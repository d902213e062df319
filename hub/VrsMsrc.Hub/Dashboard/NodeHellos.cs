using Dapper;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Data.Sqlite;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Storage;

namespace VrsMsrc.Hub.Dashboard;

/// <summary>A node's last Hello as stored; settable properties because Dapper maps SQLite's loose types onto them.</summary>
internal sealed class NodeHello
{
    public string State { get; set; } = "";
    public string At { get; set; } = "";
    public string SoftwareVersion { get; set; } = "";
    public string CodeListsVersion { get; set; } = "";
    public long OutboxDepth { get; set; }
}

/// <summary>The last Hello of each node: what the node reports of itself (software, outbox depth) at every connection.</summary>
internal sealed class NodeHellos(HubDatabase database, TimeProvider time)
{
    public void Record(string state, HelloRequest hello)
    {
        using var connection = database.Open();
        connection.Execute(
            """
            INSERT INTO node_hello (state, at, software_version, code_lists_version, outbox_depth)
            VALUES (@state, @at, @SoftwareVersion, @CodeListsVersion, @OutboxDepth)
            ON CONFLICT(state) DO UPDATE SET at = excluded.at, software_version = excluded.software_version,
                code_lists_version = excluded.code_lists_version, outbox_depth = excluded.outbox_depth
            """,
            new { state, at = time.GetUtcNow().ToString("O"), hello.SoftwareVersion, hello.CodeListsVersion, hello.OutboxDepth });
    }

    public IReadOnlyDictionary<string, NodeHello> Latest()
    {
        using var connection = database.Open(readOnly: true);
        return connection.Query<NodeHello>(
                "SELECT state, at, software_version AS SoftwareVersion, code_lists_version AS CodeListsVersion, outbox_depth AS OutboxDepth FROM node_hello")
            .ToDictionary(h => h.State, StringComparer.Ordinal);
    }
}

/// <summary>
/// Records every Hello the Exchange accepted, under the state the service mapped the caller's certificate
/// to (HelloResponse.state); kept beside the Exchange as an interceptor so the protocol code stays as it is.
/// </summary>
internal sealed class HelloRecorder(NodeHellos hellos, ILogger<HelloRecorder> log) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var response = await continuation(request, context);
        if (request is HelloRequest hello && response is HelloResponse { State: not "" } accepted)
        {
            try
            {
                hellos.Record(accepted.State, hello);
            }
            catch (SqliteException e)
            {
                // The status page is a convenience: a busy or failing store must not stop a node's delivery.
                log.LogWarning("Could not record the Hello of {State}: {Reason}", accepted.State, e.Message);
            }
        }

        return response;
    }
}
