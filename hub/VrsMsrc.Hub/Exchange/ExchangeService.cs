using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using VrsMsrc.Contracts;
using VrsMsrc.Contracts.CodeLists;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Configuration;
using VrsMsrc.Hub.Storage;
using VrsMsrc.Hub.Trends.Alerts;

namespace VrsMsrc.Hub.Exchange;

/// <summary>The node-facing gRPC service, served only on the mutual-TLS listener.</summary>
internal sealed class ExchangeService(
    NodeCertificateValidator validator,
    ICellStore cells,
    HubSettings settings,
    TimeProvider time,
    ILogger<ExchangeService> log,
    IngestSignal ingest) : Contracts.V1.Exchange.ExchangeBase
{
    public override Task<HelloResponse> Hello(HelloRequest request, ServerCallContext context)
    {
        var state = CallerState(context);
        if (request.SchemaVersion != Protocol.SchemaVersion)
        {
            throw Refuse(StatusCode.FailedPrecondition, state,
                $"node schema version {request.SchemaVersion} is not supported: this hub speaks schema {Protocol.SchemaVersion}; upgrade the node");
        }

        log.LogInformation("Hello from {State}: software {Software}, code lists {CodeLists}, outbox depth {Depth}",
            state, request.SoftwareVersion, request.CodeListsVersion, request.OutboxDepth);
        var response = new HelloResponse
        {
            SoftwareVersion = Protocol.SoftwareVersion,
            SchemaVersion = Protocol.SchemaVersion,
            CodeListsVersion = Codes.Version,
            State = state,
        };
        response.Corridors.AddRange(cells.Corridors());
        return Task.FromResult(response);
    }

    public override async Task<PushReceipt> Push(IAsyncStreamReader<PushChunk> requestStream, ServerCallContext context)
    {
        var state = CallerState(context);
        if (!await requestStream.MoveNext(context.CancellationToken))
        {
            throw Refuse(StatusCode.InvalidArgument, state, "empty push: the first chunk must name the release");
        }

        var first = requestStream.Current;
        if (first.TotalBytes <= 0 || first.TotalBytes > settings.MaxReleaseBytes)
        {
            throw Refuse(StatusCode.InvalidArgument, state, $"release size {first.TotalBytes} bytes is outside 1..{settings.MaxReleaseBytes}");
        }

        if (first.Sha256.Length != 32 || !Guid.TryParse(first.ReleaseId, out _))
        {
            throw Refuse(StatusCode.InvalidArgument, state, "the first chunk must carry a release id (UUID) and a 32-byte SHA-256");
        }

        var payload = new byte[first.TotalBytes];
        var received = 0L;
        var chunk = first;
        while (true)
        {
            if (received + chunk.Data.Length > payload.Length)
            {
                throw Refuse(StatusCode.InvalidArgument, state, $"release {first.ReleaseId} sends more than the {payload.Length} bytes it announced");
            }

            chunk.Data.Span.CopyTo(payload.AsSpan((int)received));
            received += chunk.Data.Length;
            if (!await requestStream.MoveNext(context.CancellationToken))
            {
                break;
            }

            chunk = requestStream.Current;
        }

        if (received != payload.Length)
        {
            throw Refuse(StatusCode.InvalidArgument, state, $"release {first.ReleaseId} ended after {received} of {payload.Length} bytes");
        }

        var hash = SHA256.HashData(payload);
        if (!hash.AsSpan().SequenceEqual(first.Sha256.Span))
        {
            throw Refuse(StatusCode.InvalidArgument, state, $"release {first.ReleaseId}: SHA-256 of the payload does not match the announced one");
        }

        Release release;
        try
        {
            release = Release.Parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw Refuse(StatusCode.InvalidArgument, state, $"release {first.ReleaseId} is not a valid release message: {e.Message}");
        }

        if (release.State != state)
        {
            throw Refuse(StatusCode.PermissionDenied, state, $"node {state} may not push a release for {release.State}");
        }

        if (release.ReleaseId != first.ReleaseId)
        {
            throw Refuse(StatusCode.InvalidArgument, state, $"payload release id {release.ReleaseId} differs from the announced {first.ReleaseId}");
        }

        var corridors = cells.Corridors().Select(c => c.Code).ToHashSet();
        if (ReleaseValidator.Problem(release, corridors, time.GetUtcNow()) is { } problem)
        {
            throw Refuse(StatusCode.InvalidArgument, state, $"release {release.ReleaseId}: {problem}");
        }

        var result = cells.Apply(release, Convert.ToHexStringLower(hash), time.GetUtcNow());
        if (result.Outcome == ApplyOutcome.Conflict)
        {
            throw Refuse(StatusCode.AlreadyExists, state, $"release {release.ReleaseId} was received before with different content");
        }

        log.LogInformation("Release {ReleaseId} from {State}: {Outcome}, {Applied} months applied, {Ignored} ignored",
            release.ReleaseId, state, result.Outcome, result.MonthsApplied, result.MonthsIgnored);
        if (result.MonthsApplied > 0)
        {
            // Detection runs in the background (AlertRefresher): the node's acknowledgement does not wait for it.
            ingest.ReleaseApplied(state);
        }

        return new PushReceipt
        {
            Status = result.Outcome == ApplyOutcome.Duplicate ? PushReceipt.Types.Status.Duplicate : PushReceipt.Types.Status.Accepted,
            ReleaseId = release.ReleaseId,
            MonthsApplied = result.MonthsApplied,
            MonthsIgnored = result.MonthsIgnored,
        };
    }

    private string CallerState(ServerCallContext context)
    {
        var certificate = context.GetHttpContext().Connection.ClientCertificate;
        var (state, refusal) = validator.Check(certificate);
        return state ?? throw Refuse(StatusCode.Unauthenticated, "(unknown)", refusal ?? "no node certificate");
    }

    private RpcException Refuse(StatusCode code, string state, string reason)
    {
        log.LogWarning("Refused exchange call from {State}: {Code} {Reason}", state, code, reason);
        return new RpcException(new Status(code, reason));
    }
}
