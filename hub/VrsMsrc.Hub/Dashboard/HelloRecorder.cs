using Grpc.Core;
using Grpc.Core.Interceptors;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Nodes;

namespace VrsMsrc.Hub.Dashboard;

/// <summary>
/// Records every Hello the Exchange accepted, under the state the service mapped the caller's certificate
/// to (HelloResponse.state); kept beside the Exchange as an interceptor so the protocol code stays as it is.
/// </summary>
internal sealed class HelloRecorder(INodeRegistry registry) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var response = await continuation(request, context);
        if (request is HelloRequest hello && response is HelloResponse { State: not "" } accepted)
        {
            registry.RecordHello(accepted.State, hello);
        }

        return response;
    }
}
