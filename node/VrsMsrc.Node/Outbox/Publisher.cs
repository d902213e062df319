using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Polly;
using Polly.CircuitBreaker;
using VrsMsrc.Contracts;
using VrsMsrc.Contracts.CodeLists;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Node.Operations;
using VrsMsrc.Node.Storage;

namespace VrsMsrc.Node.Outbox;

internal sealed record PublishResult(int Delivered, int Duplicates, int DeadLettered, int StillPending, string? LastError);

/// <summary>
/// Pushes the outbox to the hub in order. An entry counts as delivered only on the hub's receipt
/// (ACCEPTED or DUPLICATE); transient failures are retried by the <see cref="DeliveryPolicy"/>; a
/// refusal of the release itself moves the entry to the dead-letter state with the hub's reason; any
/// other failure ends the round and leaves the entry, and everything after it, pending.
/// </summary>
internal sealed class Publisher(
    NodeDatabase database,
    OutboxStore outbox,
    string state,
    Func<GrpcChannel> connect,
    DeliveryPolicy policy,
    TimeProvider time,
    ILogger log)
{
    // One pipeline per publisher, so that the circuit breaker remembers a dead hub across rounds of 'serve'.
    private readonly ResiliencePipeline _pipeline = policy.Pipeline(time, log);

    public async Task<PublishResult> PublishAsync(CancellationToken ct)
    {
        var pending = outbox.Pending();
        int delivered = 0, duplicates = 0, dead = 0;
        using var connection = new HubChannel(connect);

        // Each release's bytes are read while the hub is busy with the one before it, and the first while Hello
        // is on its way, so reading them is off the path and at most two are in memory at once. A round that
        // finds the hub away reads the first for nothing: one read per round, and rounds back off.
        var next = pending.Count > 0 ? ReadPayload(pending[0]) : null;
        try
        {
            if (await _pipeline.ExecuteAsync(async token => await connection.CallAsync(client => HelloAsync(client, pending.Count, token)), ct) is { } incompatible)
            {
                log.LogError("Not pushing to this hub: {Reason}", incompatible);
                return Stopped(incompatible);
            }

            for (var i = 0; i < pending.Count; i++)
            {
                var entry = pending[i];
                var payload = await next!;
                next = i + 1 < pending.Count ? ReadPayload(pending[i + 1]) : null;
                try
                {
                    var receipt = await _pipeline.ExecuteAsync(async token => await connection.CallAsync(client => PushAsync(client, entry, payload, token)), ct);
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
                catch (RpcException e) when (DeliveryPolicy.RefusesRelease.Contains(e.StatusCode))
                {
                    outbox.MarkDead(entry.Seq, $"{e.StatusCode}: {e.Status.Detail}");
                    dead++;
                    log.LogError("Hub refused release {ReleaseId}: {Code} {Detail}; moved to dead letters", entry.ReleaseId, e.StatusCode, e.Status.Detail);
                }
            }
        }
        catch (RpcException e) when (ct.IsCancellationRequested)
        {
            // Stopping the node mid-push is not a refusal: the release stays pending for the next run.
            throw new OperationCanceledException("publishing stopped", e, ct);
        }
        catch (Exception e) when (WhyStopped(e) is { } reason)
        {
            log.LogWarning("Delivery stopped, the outbox keeps the releases: {Reason}", reason);
            return Stopped(reason);
        }
        finally
        {
            // A round that ends early leaves the next release's read unused; it is awaited, not left running.
            if (next is not null)
            {
                await ((Task)next).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        return new PublishResult(delivered, duplicates, dead, outbox.PendingCount(), null);

        Task<byte[]> ReadPayload(OutboxEntry entry) => Task.Run(() => outbox.Payload(entry.Seq), ct);

        PublishResult Stopped(string reason)
        {
            // Counted on the oldest waiting release, the one the next round sends first.
            outbox.MarkFailedAttempt(reason);
            return new PublishResult(delivered, duplicates, dead, outbox.PendingCount(), reason);
        }
    }

    /// <summary>The hub is unreachable or refuses this node (not a release): the round ends, nothing is dead-lettered.</summary>
    private static string? WhyStopped(Exception e) => e switch
    {
        RpcException rpc => $"{rpc.StatusCode}: {rpc.Status.Detail}",
        BrokenCircuitException open => $"{(open.InnerException is { } cause ? WhyStopped(cause) : "the hub failed repeatedly")} (circuit open: not calling the hub for {(open.RetryAfter is { } wait ? $"{Math.Ceiling(wait.TotalSeconds)} s" : "a while")})",
        _ => null,
    };

    /// <summary>
    /// Checks the hub speaks our schema and knows us by our state, reports versions, and refreshes the
    /// cached corridor list. Returns why this node must not push to the hub, or null.
    /// </summary>
    private async Task<string?> HelloAsync(Contracts.V1.Exchange.ExchangeClient client, int outboxDepth, CancellationToken ct)
    {
        var response = await client.HelloAsync(
            new HelloRequest
            {
                SoftwareVersion = Protocol.SoftwareVersion,
                SchemaVersion = Protocol.SchemaVersion,
                CodeListsVersion = Codes.Version,
                OutboxDepth = outboxDepth,
            },
            deadline: Deadline(policy.AttemptTimeout),
            cancellationToken: ct);
        if (response.SchemaVersion != Protocol.SchemaVersion)
        {
            return $"hub {response.SoftwareVersion} speaks schema {response.SchemaVersion}, this node ({Protocol.SoftwareVersion}) schema {Protocol.SchemaVersion}: upgrade the older side";
        }

        if (response.State != state)
        {
            return $"the hub takes this node's certificate for {response.State}, but node.json says {state}: enrol again with a certificate for {state}";
        }

        log.LogInformation("Hub {Software}, schema {Schema}, code lists {CodeLists}, {Corridors} corridors",
            response.SoftwareVersion, response.SchemaVersion, response.CodeListsVersion, response.Corridors.Count);
        if (response.CodeListsVersion != Codes.Version)
        {
            // Not fatal: corridors come from the hub below; other code lists differ only between software versions.
            log.LogWarning("The hub validates with code lists {Hub}, this node with {Node}: upgrade the older side", response.CodeListsVersion, Codes.Version);
        }

        if (response.Corridors.Count > 0)
        {
            database.CacheCorridors(response.Corridors.Select(c => (c.Code, c.Name)));
        }

        return null;
    }

    private async Task<PushReceipt> PushAsync(Contracts.V1.Exchange.ExchangeClient client, OutboxEntry entry, byte[] payload, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var receipt = await SendAsync(client, entry, payload, ct);
            NodeMetrics.PushDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("outcome", receipt.Status.ToString()));
            return receipt;
        }
        catch (RpcException e)
        {
            NodeMetrics.PushDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("outcome", "failed"));
            NodeMetrics.PushFailures.Add(1, new KeyValuePair<string, object?>("code", e.StatusCode.ToString()));
            throw;
        }
    }

    private async Task<PushReceipt> SendAsync(Contracts.V1.Exchange.ExchangeClient client, OutboxEntry entry, byte[] payload, CancellationToken ct)
    {
        using var call = client.Push(deadline: Deadline(policy.PushTimeout(payload.Length)), cancellationToken: ct);
        try
        {
            for (var offset = 0; offset == 0 || offset < payload.Length; offset += Protocol.ChunkBytes)
            {
                // The payload is not changed while it is sent: its chunks are wrapped, not copied.
                var chunk = new PushChunk { Data = UnsafeByteOperations.UnsafeWrap(payload.AsMemory(offset, Math.Min(Protocol.ChunkBytes, payload.Length - offset))) };
                if (offset == 0)
                {
                    chunk.ReleaseId = entry.ReleaseId;
                    chunk.Sha256 = ByteString.CopyFrom(Convert.FromHexString(entry.Sha256));
                    chunk.TotalBytes = payload.Length;
                }

                await call.RequestStream.WriteAsync(chunk, ct);
            }

            await call.RequestStream.CompleteAsync();
        }
        catch (Exception e) when (e is RpcException or IOException or HttpRequestException or InvalidOperationException)
        {
            // The call ended while we were still writing: the hub refused early, or the line broke.
            // A write may fail with a bare transport error; the call's status below says which it was.
        }

        return await call.ResponseAsync;
    }

    /// <summary>
    /// The channel of one round, dropped after a transient failure: the next attempt dials afresh instead
    /// of queueing behind a connection that hangs in its handshake or has silently died, which would
    /// otherwise hold every retry until the connect timeout or the keep-alive pings give up on it.
    /// </summary>
    private sealed class HubChannel(Func<GrpcChannel> connect) : IDisposable
    {
        private GrpcChannel? _channel;

        public async Task<T> CallAsync<T>(Func<Contracts.V1.Exchange.ExchangeClient, Task<T>> call)
        {
            _channel ??= connect();
            try
            {
                return await call(new Contracts.V1.Exchange.ExchangeClient(_channel));
            }
            catch (RpcException e) when (DeliveryPolicy.Transient.Contains(e.StatusCode))
            {
                Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            _channel?.Dispose();
            _channel = null;
        }
    }

    /// <summary>
    /// gRPC measures deadlines against the system clock whatever TimeProvider the node runs on: one
    /// taken from a moved clock would have expired already, or never would.
    /// </summary>
    private static DateTime Deadline(TimeSpan timeout) => TimeProvider.System.GetUtcNow().UtcDateTime + timeout;
}
