using Grpc.Core;
using Grpc.Core.Interceptors;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Nodes;

namespace VrsMsrc.Hub.Dashboard;

/// <summary>
/// Records every Hello the Exchange accepted, under the state the service mapped the caller's certificate
/// to (HelloResponse.state); kept beside the Exchange as an interceptor so the protocol code stays as it is.
/// </summary>
internal sealed class HelloRecorder(INodeRegistry registry, ILogger<HelloRecorder> log) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var response = await continuation(request, context);
        if (request is HelloRequest hello && response is HelloResponse { State: not "" } accepted)
        {
            try
            {
                registry.RecordHello(accepted.State, hello);
            }
            catch (System.Data.Common.DbException e)
            {
                // The status page is a convenience: a busy or failing store must not stop a node's delivery.
                log.LogWarning("Could not record the Hello of {State}: {Reason}", accepted.State, e.Message);
            }
        }

        return response;
    }
}
