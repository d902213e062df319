using Grpc.Core;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Audit;
using VrsMsrc.Hub.Security;

namespace VrsMsrc.Hub.Trends;

/// <summary>The analysts' gRPC service, served on the analyst listener to authenticated accounts only.</summary>
internal sealed class TrendsService(AuditedQueries queries, SharingRule sharing, ILogger<TrendsService> log) : Contracts.V1.Trends.TrendsBase
{
    public override Task<SeriesResponse> Series(SeriesRequest request, ServerCallContext context)
    {
        // Node certificates are for the exchange only; the analyst listener never asks for one.
        if (context.GetHttpContext().Connection.ClientCertificate is not null)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "node certificates may not query trends"));
        }

        var identity = AnalystClaims.Identity(context.GetHttpContext().User);
        try
        {
            var response = queries.Series(request, sharing.ScopeFor(identity), AuditActor.User(identity.Account));
            log.LogInformation("Series {Table}.{Measure} by '{By}' per {Period} for {Account}: {Points} points",
                request.Table, request.Measure, request.By, request.Period, identity.Account, response.Points.Count);
            return Task.FromResult(response);
        }
        catch (QueryException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }
        catch (SharingRefusedException e)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, e.Message));
        }
    }
}
