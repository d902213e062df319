using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Nodes;
using VrsMsrc.Hub.Storage;
using VrsMsrc.Hub.Trends.Alerts;
using VrsMsrc.Hub.Trends.Coverage;
using VrsMsrc.Hub.Trends.Fees;
using VrsMsrc.Hub.Trends.Flows;
using VrsMsrc.Hub.Trends.Profiles;
using VrsMsrc.Hub.Trends.Similarity;

namespace VrsMsrc.Hub.Trends;

/// <summary>
/// The trend questions besides the series, answered by one engine whichever way they come in: the Trends
/// gRPC service, its JSON form, and 'vrs-hub query|alerts|similar' on the hub's machine. Every question
/// takes the caller's <see cref="QueryScope"/>, which decides whose per-state data the answer may show.
/// Built from the stores alone, so that benchmarks and tests can call it without a server.
/// </summary>
internal sealed class TrendQueries
{
    private readonly FlowsQuery _flows;
    private readonly FeesQuery _fees;
    private readonly ProfilesQuery _profiles;
    private readonly CoverageQuery _coverage;
    private readonly AlertsQuery _alerts;
    private readonly AlertBandQuery _band;
    private readonly SimilarStates _similar;

    public TrendQueries(SeriesEngine series, ICellStore cells, INodeRegistry nodes, IAlertStore alerts, TimeProvider time)
    {
        var reader = new RangeReader(cells);
        _flows = new FlowsQuery(reader);
        _fees = new FeesQuery(reader);
        _profiles = new ProfilesQuery(reader);
        _coverage = new CoverageQuery(cells, nodes, time);
        _alerts = new AlertsQuery(alerts);
        _band = new AlertBandQuery(series);
        _similar = new SimilarStates(series, alerts);
    }

    /// <summary>Everyone sees every state; for the hub's operator and until the sharing rule says otherwise.</summary>
    public static QueryScope All { get; } = QueryScope.Unrestricted("hub");

    public FlowsResponse Flows(FlowsRequest request, QueryScope? scope = null) => _flows.Answer(request, scope ?? All);

    public FeesResponse Fees(FeesRequest request, QueryScope? scope = null) => _fees.Answer(request, scope ?? All);

    public ProfilesResponse Profiles(ProfilesRequest request, QueryScope? scope = null) => _profiles.Answer(request, scope ?? All);

    public CoverageResponse Coverage(CoverageRequest request, QueryScope? scope = null) => _coverage.Answer(request, scope ?? All);

    public AlertsResponse Alerts(AlertsRequest request, QueryScope? scope = null) => _alerts.Answer(request, scope ?? All);

    public AlertBandResponse AlertBand(AlertBandRequest request, QueryScope? scope = null) => _band.Answer(request, scope ?? All);

    public SimilarResponse Similar(SimilarRequest request, QueryScope? scope = null) => _similar.Answer(request, scope ?? All);
}
