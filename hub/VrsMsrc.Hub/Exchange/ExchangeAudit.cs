using System.Data.Common;
using Grpc.Core;
using Grpc.Core.Interceptors;
using VrsMsrc.Contracts.Identity;
using VrsMsrc.Contracts.Security;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Audit;

namespace VrsMsrc.Hub.Exchange;

/// <summary>
/// Audits every exchange call's outcome: each push accepted, duplicate or refused (with the status the
/// node got), and every refused Hello. Kept out of ExchangeService so that the service's own logic
/// reads as the protocol it implements. A push is answered only once its audit entry is stored: when
/// the audit log cannot be written (database busy or away) the node is told to try again (UNAVAILABLE),
/// and its resend, answered DUPLICATE, is audited then.
/// </summary>
internal sealed class ExchangeAudit(IAuditLog audit, ILogger<ExchangeAudit> log) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (RpcException e)
        {
            Refused(context, e.Status);
            throw;
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        TResponse response;
        try
        {
            response = await continuation(requestStream, context);
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

        if (response is PushReceipt receipt)
        {
            var outcome = receipt.Status == PushReceipt.Types.Status.Duplicate ? AuditOutcome.Duplicate : AuditOutcome.Accepted;
            try
            {
                audit.Append(Caller(context), "push", outcome, AuditChain.Detail(
                    ("release", receipt.ReleaseId), ("months_applied", receipt.MonthsApplied), ("months_ignored", receipt.MonthsIgnored)));
            }
            catch (DbException e)
            {
                log.LogError(e, "Could not audit push of release {ReleaseId}; the node is asked to send it again", receipt.ReleaseId);
                throw new RpcException(new Status(StatusCode.Unavailable, $"the hub could not record release {receipt.ReleaseId} in its audit log now; send it again"));
            }
        }

        return response;
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
