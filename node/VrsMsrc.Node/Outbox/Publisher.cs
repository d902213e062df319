using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Polly;
using Polly.Retry;
using VrsMsrc.Contracts;
using VrsMsrc.Contracts.CodeLists;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Node.Storage;

namespace VrsMsrc.Node.Outbox;

internal sealed record PublishResult(int Delivered, int Duplicates, int DeadLettered, int StillPending, string? LastError);

/// <summary>
/// Pushes the outbox to the hub in order. An entry counts as delivered only on the hub's receipt
/// (ACCEPTED or DUPLICATE); transient failures are retried with jittered exponential backoff; a
/// refusal retrying cannot fix moves the entry to the dead-letter state with the hub's reason.
/// </summary>
internal sealed class Publisher(
    NodeDatabase database,
    OutboxStore outbox,
    Func<GrpcChannel> connect,
    ResiliencePipeline pipeline,
    TimeProvider time,
    ILogger log)
{
    /// <summary>Status codes that say "try again later", and only those.</summary>
    public static readonly IReadOnlySet<StatusCode> Transient = new HashSet<StatusCode>
    {
        StatusCode.Unavailable, StatusCode.DeadlineExceeded, StatusCode.ResourceExhausted, StatusCode.Aborted,
    };

    public static readonly TimeSpan AttemptDeadline = TimeSpan.FromMinutes(2);

    public static ResiliencePipeline Pipeline(int maxRetries, TimeSpan firstDelay, TimeProvider time, ILogger log) =>
        new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<RpcException>(e => Transient.Contains(e.StatusCode)),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = firstDelay,
                MaxDelay = TimeSpan.FromMinutes(5),
                MaxRetryAttempts = maxRetries,
                OnRetry = args =>
                {
                    log.LogWarning("Hub unreachable ({Reason}); retry {Attempt} in {Delay}",
                        args.Outcome.Exception?.Message, args.AttemptNumber + 1, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

    public async Task<PublishResult> PublishAsync(CancellationToken ct)
    {
        var pending = outbox.Pending();
        int delivered = 0, duplicates = 0, dead = 0;
        using var channel = connect();
        var client = new Contracts.V1.Exchange.ExchangeClient(channel);
        try
        {
            await pipeline.ExecuteAsync(async token => await HelloAsync(client, pending.Count, token), ct);
            foreach (var entry in pending)
            {
                try
                {
                    var receipt = await pipeline.ExecuteAsync(async token => await PushAsync(client, entry, token), ct);
                    outbox.MarkDelivered(entry.Seq, receipt.Status.ToString());
                    if (receipt.Status == PushReceipt.Types.Status.Duplicate)
                    {
                        duplicates++;
                    }
                    else
                    {
                        delivered++;
                    }

                    log.LogInformation("Release {ReleaseId} delivered: {Status}, {Applied} months applied", entry.ReleaseId, receipt.Status, receipt.MonthsApplied);
                }
                catch (RpcException e) when (!Transient.Contains(e.StatusCode))
                {
                    outbox.MarkDead(entry.Seq, $"{e.StatusCode}: {e.Status.Detail}");
                    dead++;
                    log.LogError("Hub refused release {ReleaseId}: {Code} {Detail}; moved to dead letters", entry.ReleaseId, e.StatusCode, e.Status.Detail);
                }
            }
        }
        catch (RpcException e) when (Transient.Contains(e.StatusCode))
        {
            var stillPending = outbox.Pending();
            if (stillPending.Count > 0)
            {
                outbox.MarkFailedAttempt(stillPending[0].Seq, $"{e.StatusCode}: {e.Status.Detail}");
            }

            return new PublishResult(delivered, duplicates, dead, outbox.Pending().Count, $"{e.StatusCode}: {e.Status.Detail}");
        }

        return new PublishResult(delivered, duplicates, dead, outbox.Pending().Count, null);
    }

    /// <summary>Checks the hub speaks our schema and refreshes the cached corridor list.</summary>
    private async Task HelloAsync(Contracts.V1.Exchange.ExchangeClient client, int outboxDepth, CancellationToken ct)
    {
        var response = await client.HelloAsync(
            new HelloRequest
            {
                SoftwareVersion = Protocol.SoftwareVersion,
                SchemaVersion = Protocol.SchemaVersion,
                CodeListsVersion = Codes.Version,
                OutboxDepth = outboxDepth,
            },
            deadline: time.GetUtcNow().UtcDateTime + AttemptDeadline,
            cancellationToken: ct);
        if (response.SchemaVersion != Protocol.SchemaVersion)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"hub speaks schema {response.SchemaVersion}, this node {Protocol.SchemaVersion}: upgrade the older side"));
        }

        if (response.Corridors.Count > 0)
        {
            database.CacheCorridors(response.Corridors.Select(c => (c.Code, c.Name)));
        }
    }

    private async Task<PushReceipt> PushAsync(Contracts.V1.Exchange.ExchangeClient client, OutboxEntry entry, CancellationToken ct)
    {
        using var call = client.Push(deadline: time.GetUtcNow().UtcDateTime + AttemptDeadline, cancellationToken: ct);
        var payload = entry.Payload;
        for (var offset = 0; offset == 0 || offset < payload.Length; offset += Protocol.ChunkBytes)
        {
            var chunk = new PushChunk { Data = ByteString.CopyFrom(payload, offset, Math.Min(Protocol.ChunkBytes, payload.Length - offset)) };
            if (offset == 0)
            {
                chunk.ReleaseId = entry.ReleaseId;
                chunk.Sha256 = ByteString.CopyFrom(Convert.FromHexString(entry.Sha256));
                chunk.TotalBytes = payload.Length;
            }

            await call.RequestStream.WriteAsync(chunk, ct);
        }

        await call.RequestStream.CompleteAsync();
        return await call.ResponseAsync;
    }
}
