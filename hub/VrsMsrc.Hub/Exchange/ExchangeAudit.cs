using System.Data.Common;
using Grpc.Core;
using Grpc.Core.Interceptors;
using VrsMsrc.Contracts.Identity;
using VrsMsrc.Contracts.Security;
using VrsMsrc.Hub.Audit;

namespace VrsMsrc.Hub.Exchange;

/// <summary>
/// Audits every refused exchange call (with the status the node got): a refused push or Hello. Kept out
/// of ExchangeService so that the service's own logic reads as the protocol it implements. An accepted or
/// duplicate push is audited by ExchangeService in the transaction that applies the release, so that the
/// two are stored together or not at all.
/// </summary>
internal sealed class ExchangeAudit(IAuditLog audit, ILogger<ExchangeAudit> log) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation) =>
        AuditingRefusal(context, () => continuation(request, context));

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation) =>
        AuditingRefusal(context, () => continuation(requestStream, context));

    private async Task<TResponse> AuditingRefusal<TResponse>(ServerCallContext context, Func<Task<TResponse>> call)
    {
        try
        {
            return await call();
        }
        catch (RpcException e)
        {
            Refused(context, e.Status);
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Refused(context, new Status(StatusCode.Internal, $"{e.GetType().Name}: {e.Message}"));
            throw;
        }
    }

    /// <summary>Audits a refusal; a refusal that cannot be audited is still the node's answer, and logged.</summary>
    private void Refused(ServerCallContext context, Status status)
    {
        try
        {
            audit.Append(Caller(context), Action(context), AuditOutcome.Refused, AuditChain.Detail(
                ("code", status.StatusCode.ToString()), ("reason", status.Detail),
                ("remote", context.GetHttpContext().Connection.RemoteIpAddress?.ToString())));
        }
        catch (DbException e)
        {
            log.LogError(e, "Could not audit a refused {Method} call: {Code} {Reason}", context.Method, status.StatusCode, status.Detail);
        }
    }

    private static string Action(ServerCallContext context) =>
        context.Method.EndsWith("/Push", StringComparison.Ordinal) ? "push" : "exchange." + context.Method[(context.Method.LastIndexOf('/') + 1)..];

    /// <summary>The node the TLS handshake accepted; the service checks it again on every call.</summary>
    private static string Caller(ServerCallContext context)
    {
        var certificate = context.GetHttpContext().Connection.ClientCertificate;
        var uris = certificate is null ? [] : CertificateNames.UriSans(certificate);
        return uris.Count == 1 && NodeUri.TryParse(uris[0], out var state) ? AuditActor.Node(state) : AuditActor.Anonymous;
    }
}
