using Grpc.Core;
using VrsMsrc.Contracts.V1;

namespace VrsMsrc.Hub.Trends;

/// <summary>The analysts' gRPC service, served on the analyst listener.</summary>
internal sealed class TrendsService(SeriesEngine engine, ILogger<TrendsService> log) : Contracts.V1.Trends.TrendsBase
{
    public override Task<SeriesResponse> Series(SeriesRequest request, ServerCallContext context)
    {
        // Node certificates are for the exchange only; the analyst listener never asks for one.
        if (context.GetHttpContext().Connection.ClientCertificate is not null)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "node certificates may not query trends"));
        }

        try
        {
            var response = engine.Series(request);
            log.LogInformation("Series {Table}.{Measure} by '{By}' per {Period}: {Points} points", request.Table, request.Measure, request.By, request.Period, response.Points.Count);
            return Task.FromResult(response);
        }
        catch (QueryException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }
    }
}
