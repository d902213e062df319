using Grpc.Core;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Audit;
using VrsMsrc.Hub.Security;

namespace VrsMsrc.Hub.Trends;

/// <summary>The analysts' gRPC service, served on the analyst listener to authenticated accounts only.</summary>
internal sealed class TrendsService(AuditedQueries queries, SharingRule sharing, ILogger<TrendsService> log, TrendQueries trends) : Contracts.V1.Trends.TrendsBase
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

    public override Task<FlowsResponse> Flows(FlowsRequest request, ServerCallContext context) =>
        Answer(context, "query.flows", request, scope => trends.Flows(request, scope), r => r.Legs.Count + r.Corridors.Count);

    public override Task<FeesResponse> Fees(FeesRequest request, ServerCallContext context) =>
        Answer(context, "query.fees", request, scope => trends.Fees(request, scope), r => r.Estimates.Count);

    public override Task<ProfilesResponse> Profiles(ProfilesRequest request, ServerCallContext context) =>
        Answer(context, "query.profiles", request, scope => trends.Profiles(request, scope), r => r.Rows.Count);

    public override Task<CoverageResponse> Coverage(CoverageRequest request, ServerCallContext context) =>
        Answer(context, "query.coverage", request, scope => trends.Coverage(request, scope), r => r.Nodes.Count);

    public override Task<AlertsResponse> Alerts(AlertsRequest request, ServerCallContext context) =>
        Answer(context, "query.alerts", request, scope => trends.Alerts(request, scope), r => r.Alerts.Count);

    public override Task<AlertBandResponse> AlertBand(AlertBandRequest request, ServerCallContext context) =>
        Answer(context, "query.alert-band", request, scope => trends.AlertBand(request, scope), r => r.Months.Count);

    public override Task<SimilarResponse> Similar(SimilarRequest request, ServerCallContext context) =>
        Answer(context, "query.similar", request, scope => trends.Similar(request, scope), r => r.States.Count);

    /// <summary>
    /// Answers one question in the caller's scope (the sharing rule), audited like the series: refusals of
    /// the question become INVALID_ARGUMENT, of the caller PERMISSION_DENIED.
    /// </summary>
    private Task<T> Answer<T>(ServerCallContext context, string action, Google.Protobuf.IMessage request, Func<QueryScope, T> question, Func<T, int> rows)
    {
        if (context.GetHttpContext().Connection.ClientCertificate is not null)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "node certificates may not query trends"));
        }

        var identity = AnalystClaims.Identity(context.GetHttpContext().User);
        try
        {
            var scope = sharing.ScopeFor(identity);
            var response = queries.Answer(action, request, AuditActor.User(identity.Account), () => question(scope), rows);
            log.LogInformation("{Action} for {Account}: {Rows} rows", action, identity.Account, rows(response));
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
