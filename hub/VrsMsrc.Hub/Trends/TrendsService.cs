using Grpc.Core;
using VrsMsrc.Contracts.V1;

namespace VrsMsrc.Hub.Trends;

/// <summary>The analysts' gRPC service, served on the analyst listener.</summary>
internal sealed class TrendsService(SeriesEngine engine, ILogger<TrendsService> log, TrendQueries trends) : Contracts.V1.Trends.TrendsBase
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

    public override Task<FlowsResponse> Flows(FlowsRequest request, ServerCallContext context) => Answer(context, scope => trends.Flows(request, scope));

    public override Task<FeesResponse> Fees(FeesRequest request, ServerCallContext context) => Answer(context, scope => trends.Fees(request, scope));

    public override Task<ProfilesResponse> Profiles(ProfilesRequest request, ServerCallContext context) => Answer(context, scope => trends.Profiles(request, scope));

    public override Task<CoverageResponse> Coverage(CoverageRequest request, ServerCallContext context) => Answer(context, scope => trends.Coverage(request, scope));

    public override Task<AlertsResponse> Alerts(AlertsRequest request, ServerCallContext context) => Answer(context, scope => trends.Alerts(request, scope));

    public override Task<SimilarResponse> Similar(SimilarRequest request, ServerCallContext context) => Answer(context, scope => trends.Similar(request, scope));

    /// <summary>
    /// Answers one question in the caller's scope: refusals of the question become INVALID_ARGUMENT, of
    /// the caller PERMISSION_DENIED.
    /// </summary>
    private static Task<T> Answer<T>(ServerCallContext context, Func<QueryScope, T> question)
    {
        if (context.GetHttpContext().Connection.ClientCertificate is not null)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "node certificates may not query trends"));
        }

        try
        {
            return Task.FromResult(question(ScopeOf(context)));
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

    /// <summary>Whose per-state data the caller may see: every state's, until analysts have accounts.</summary>
    private static QueryScope ScopeOf(ServerCallContext context) => TrendQueries.All;
}
