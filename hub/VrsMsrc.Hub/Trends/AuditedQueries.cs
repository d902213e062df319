using Google.Protobuf;
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

    /// <summary>
    /// Any other trend question (flows, fees, profiles, coverage, alerts, similar), recorded the same way:
    /// the request as asked, then the number of rows or the reason for the refusal.
    /// </summary>
    public T Answer<T>(string action, IMessage request, string actor, Func<T> question, Func<T, int> rows)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(rows);
        var asked = ("request", (object?)JsonFormatter.Default.Format(request));
        T response;
        try
        {
            response = question();
        }
        catch (Exception e) when (e is QueryException or SharingRefusedException)
        {
            audit.Append(actor, action, AuditOutcome.Refused, AuditChain.Detail(asked, ("reason", e.Message)));
            throw;
        }

        audit.Append(actor, action, AuditOutcome.Ok, AuditChain.Detail(asked, ("rows", rows(response))));
        return response;
    }
}
