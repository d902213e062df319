using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using VrsMsrc.Contracts;
using VrsMsrc.Contracts.CodeLists;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Audit;
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
    IAuditLog audit,
    IngestSignal ingest) : Contracts.V1.Exchange.ExchangeBase
{
    public override Task<HelloResponse> Hello(HelloRequest request, ServerCallContext context)
    {
        var state = CallerState(context);
        if (request.SchemaVersion != Protocol.SchemaVersion)
        {
            throw Refuse(StatusCode.FailedPrecondition, state,
                $"node {request.SoftwareVersion} speaks schema {request.SchemaVersion}, this hub ({Protocol.SoftwareVersion}) schema {Protocol.SchemaVersion}: "
                + (request.SchemaVersion > Protocol.SchemaVersion ? "the hub must be upgraded before this node pushes" : "upgrade the node"));
        }

        log.LogInformation("Hello from {State}: software {Software}, schema {Schema}, code lists {CodeLists}, outbox depth {Depth}",
            state, request.SoftwareVersion, request.SchemaVersion, request.CodeListsVersion, request.OutboxDepth);
        if (request.CodeListsVersion != Codes.Version)
        {
            // Not a refusal: each release is checked against the hub's lists, code by code.
            log.LogWarning("Node {State} validates with code lists {NodeCodeLists}, the hub with {HubCodeLists}: cells with codes the hub does not know will be refused",
                state, request.CodeListsVersion, Codes.Version);
        }

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

        // Disposed once the release is applied or refused: the checked release lies in its buffers.
        using var pushed = new PushedRelease(cells.Corridors().Select(c => c.Code).ToHashSet(), time.GetUtcNow());
        var (first, hash) = await ReceiveAsync(requestStream, pushed, state, context.CancellationToken);
        if (!hash.AsSpan().SequenceEqual(first.Sha256.Span))
        {
            throw Refuse(StatusCode.InvalidArgument, state, $"release {first.ReleaseId}: SHA-256 of the payload does not match the announced one");
        }

        var release = Check(pushed, first.ReleaseId, state);

        // An upload can take minutes: a node revoked or disabled meanwhile does not get its release applied.
        CallerState(context);

        ApplyResult result;
        try
        {
            // The push's audit entry is stored in the apply's transaction: an applied release always has its
            // entry, and one that cannot be audited is not applied (the node is answered only after both).
            result = await cells.ApplyAsync(release, Convert.ToHexStringLower(hash), time.GetUtcNow(), AuditPush, context.CancellationToken);
        }
        catch (System.Data.Common.DbException e)
        {
            // Nothing was stored (the release's transaction, audit entry included, rolled back), on SQLite (busy,
            // disk) or PostgreSQL (pool exhausted, server restarting, deadlock): the node keeps the release and tries again.
            log.LogError(e, "Could not store release {ReleaseId} from {State}", release.ReleaseId, state);
            throw new RpcException(new Status(StatusCode.Unavailable, $"the hub could not store release {release.ReleaseId} now; it will be accepted later"));
        }

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

        void AuditPush(System.Data.Common.DbTransaction tx, ApplyResult outcome) =>
            audit.Append(tx, AuditActor.Node(state), "push", outcome.Outcome == ApplyOutcome.Duplicate ? AuditOutcome.Duplicate : AuditOutcome.Accepted,
                AuditChain.Detail(("release", release.ReleaseId), ("months_applied", outcome.MonthsApplied), ("months_ignored", outcome.MonthsIgnored)));
    }

    /// <summary>
    /// Reads one release's chunks, and its months as soon as each has arrived whole, so that checking the
    /// release overlaps its upload. Buffers grow with what actually arrives, never to what the first chunk
    /// merely claims, so announcing a huge release costs a hostile node its own bandwidth, not the hub's
    /// memory. The SHA-256 is computed chunk by chunk as they arrive rather than in a pass of its own.
    /// </summary>
    private async Task<(PushChunk First, byte[] Sha256)> ReceiveAsync(IAsyncStreamReader<PushChunk> requestStream, PushedRelease release, string state, CancellationToken ct)
    {
        PushChunk? first = null;

        // Disposed after the finally below, which waits for the last checking pass: no pass reads a returned buffer.
        using var payload = new PooledBytes();
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        // The bytes in are checked on another thread while the next chunks arrive, one pass at a time: a pass
        // reads every month whole by then, so chunks that arrive during one are read by the next. Checking on
        // this loop instead would leave the node waiting for flow control while a chunk is checked.
        var checking = Task.CompletedTask;
        try
        {
            while (await requestStream.MoveNext(ct))
            {
                var chunk = requestStream.Current;
                if (first is null)
                {
                    first = chunk;
                    if (first.TotalBytes <= 0 || first.TotalBytes > settings.MaxReleaseBytes)
                    {
                        throw Refuse(StatusCode.InvalidArgument, state, $"release size {first.TotalBytes} bytes is outside 1..{settings.MaxReleaseBytes}");
                    }

                    if (first.Sha256.Length != 32 || !Guid.TryParse(first.ReleaseId, out _))
                    {
                        throw Refuse(StatusCode.InvalidArgument, state, "the first chunk must carry a release id (UUID) and a 32-byte SHA-256");
                    }
                }

                if (payload.Length + chunk.Data.Length > first.TotalBytes)
                {
                    throw Refuse(StatusCode.InvalidArgument, state, $"release {first.ReleaseId} sends more than the {first.TotalBytes} bytes it announced");
                }

                payload.Write(chunk.Data.Span);
                sha256.AppendData(chunk.Data.Span);
                if (checking.IsCompleted)
                {
                    // Advance keeps what is wrong for later and never throws; were it to, the call ends here.
                    await checking;

                    // The pass reads the buffer as it is now; later writes go past it, or into a new buffer.
                    var received = payload.Written;
                    checking = Task.Run(() => release.Advance(received), CancellationToken.None);
                }
            }

            await checking;
        }
        catch (InvalidProtocolBufferException e)
        {
            throw Refuse(StatusCode.InvalidArgument, state, $"after {payload.Length} bytes of release data the push carries a message that is no push chunk: {e.Message}");
        }
        catch (Exception e) when (e is not RpcException { Status.StatusCode: StatusCode.InvalidArgument })
        {
            // A cut line, a node that gave up, a message over the size limit or broken gRPC framing:
            // the call ends here and nothing of it is stored.
            log.LogWarning("Push from {State} broke off after {Bytes} bytes of release {ReleaseId}: {Reason}",
                state, payload.Length, first?.ReleaseId ?? "(none announced)", e is RpcException rpc ? $"{rpc.StatusCode} {rpc.Status.Detail}" : e.Message);
            throw;
        }
        finally
        {
            // Also when the call broke off: the release is never read by two threads at once.
            await checking.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (first is null)
        {
            throw Refuse(StatusCode.InvalidArgument, state, "empty push: the first chunk must name the release");
        }

        if (payload.Length != first.TotalBytes)
        {
            throw Refuse(StatusCode.InvalidArgument, state, $"release {first.ReleaseId} ended after {payload.Length} of {first.TotalBytes} bytes");
        }

        release.Complete(payload.Written);
        return (first, sha256.GetHashAndReset());
    }

    /// <summary>
    /// The checks of the whole release, in a fixed order whatever came first on the wire: the bytes are a
    /// release message; the sender may push it (from the release's own fields); then every month and cell.
    /// Each way it can fail is a refusal with its reason.
    /// </summary>
    private CheckedRelease Check(PushedRelease pushed, string announcedId, string state)
    {
        try
        {
            pushed.ThrowIfMalformed();
            if (pushed.State != state)
            {
                throw Refuse(StatusCode.PermissionDenied, state, $"node {state} may not push a release for {pushed.State}");
            }

            if (pushed.ReleaseId != announcedId)
            {
                throw Refuse(StatusCode.InvalidArgument, state, $"payload release id {pushed.ReleaseId} differs from the announced {announcedId}");
            }

            return pushed.TryCheck(out var release, out var problem)
                ? release
                : throw Refuse(StatusCode.InvalidArgument, state, $"release {announcedId}: {problem}");
        }
        catch (MalformedReleaseException e)
        {
            throw Refuse(StatusCode.InvalidArgument, state, $"release {announcedId} is not a valid release message: {e.Message}");
        }
    }

    /// <summary>
    /// The caller's state. Its connection's handshake checked the certificate whole; each call checks again
    /// only what can change while a connection stays open (validity period, registry), which spares building
    /// the chain twice more per push. A connection whose handshake left no decision (a resumed TLS session
    /// need not call the validation callback) is checked whole.
    /// </summary>
    private string CallerState(ServerCallContext context)
    {
        var http = context.GetHttpContext();
        var certificate = http.Connection.ClientCertificate;
        var (state, refusal) = (ExchangeListener.CallerState(http), certificate) switch
        {
            ({ } accepted, { } presented) => (accepted, validator.Recheck(presented, accepted)),
            _ => validator.Decide(certificate),
        };
        return refusal is null && state is not null ? state : throw Refuse(StatusCode.Unauthenticated, state ?? "(unknown)", refusal ?? "no node certificate");
    }

    private RpcException Refuse(StatusCode code, string state, string reason)
    {
        log.LogWarning("Refused exchange call from {State}: {Code} {Reason}", state, code, reason);
        return new RpcException(new Status(code, reason));
    }
}
