using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Audit;

namespace VrsMsrc.Hub.Trends;

/// <summary>
/// The engine's questions with their audit entries (who, what, how many rows, or why refused), shared
/// by the Trends API and the operator's CLI so that no way of asking goes unrecorded.
/// </summary>
internal sealed class AuditedQueries(SeriesEngine engine, IAuditLog audit)
{
    public SeriesResponse Series(SeriesRequest request, QueryScope scope, string actor)
    {
        (string, object?)[] what =
        [
            ("table", request.Table), ("measure", request.Measure), ("by", request.By), ("period", request.Period),
            ("from", request.From), ("to", request.To), ("states", request.States.ToList()), ("where", request.Where.ToList()),
        ];
        SeriesResponse response;
        try
        {
            response = engine.Series(request, scope);
        }
        catch (Exception e) when (e is QueryException or SharingRefusedException)
        {
            audit.Append(actor, "query.series", AuditOutcome.Refused, AuditChain.Detail([.. what, ("reason", e.Message)]));
            throw;
        }

        audit.Append(actor, "query.series", AuditOutcome.Ok, AuditChain.Detail([.. what, ("rows", response.Points.Count)]));
        return response;
    }
}
