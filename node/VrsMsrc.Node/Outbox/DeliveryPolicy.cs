using Grpc.Core;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace VrsMsrc.Node.Outbox;

/// <summary>
/// node.json "Delivery": how the publisher rides out a poor line or an absent hub. Failures that say
/// "later" are retried with capped, jittered exponential backoff; a circuit breaker stops dialling a
/// hub known to be down until a break has passed; every call carries a gRPC deadline.
/// </summary>
internal sealed record DeliveryPolicy
{
    /// <summary>Status codes that say "try again later", and only those.</summary>
    public static readonly IReadOnlySet<StatusCode> Transient = new HashSet<StatusCode>
    {
        StatusCode.Unavailable, StatusCode.DeadlineExceeded, StatusCode.ResourceExhausted, StatusCode.Aborted,
    };

    /// <summary>
    /// Status codes with which the hub judges the release itself: it will judge it the same way every
    /// time, so the release goes to the dead letters. Any other refusal (an unknown node, another schema,
    /// a hub error) is about the node or the hub, not the release, and leaves it pending.
    /// </summary>
    public static readonly IReadOnlySet<StatusCode> RefusesRelease = new HashSet<StatusCode>
    {
        StatusCode.InvalidArgument, StatusCode.PermissionDenied, StatusCode.AlreadyExists,
    };

    /// <summary>Retries after the first attempt of each call, within one publishing round.</summary>
    public int MaxRetries { get; init; } = 6;

    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Failed attempts within <see cref="SamplingDuration"/> (at least half of all attempts there) that
    /// open the circuit. A node makes a few calls an hour: Polly's defaults (100 calls in 30 seconds)
    /// would never trip, so a small count over a long window is what "the hub is down" looks like here.
    /// </summary>
    public int BreakAfterFailures { get; init; } = 3;

    public TimeSpan SamplingDuration { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>First break; each failed probe after it doubles the break, up to <see cref="MaxBreak"/>.</summary>
    public TimeSpan FirstBreak { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest break: the delay, at worst, between the hub's return and the outbox draining.</summary>
    public TimeSpan MaxBreak { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>gRPC deadline of Hello, and of a push before its size is added.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Slowest line a push must still get through: each push's deadline grows by its size at this rate,
    /// so that a large release over a poor line is not cut off, and retried, forever.
    /// </summary>
    public int SlowestLinkBytesPerSecond { get; init; } = 16 * 1024;

    public TimeSpan PushTimeout(int payloadBytes) => AttemptTimeout + TimeSpan.FromSeconds((double)payloadBytes / SlowestLinkBytesPerSecond);

    public string? Problem() =>
        MaxRetries < 0 ? "MaxRetries may not be negative"
        : FirstRetryDelay <= TimeSpan.Zero || MaxRetryDelay < FirstRetryDelay ? "FirstRetryDelay must be positive and at most MaxRetryDelay"
        : BreakAfterFailures < 2 ? "BreakAfterFailures must be at least 2"
        : SamplingDuration < TimeSpan.FromSeconds(1) ? "SamplingDuration must be at least one second"
        : FirstBreak < TimeSpan.FromSeconds(1) || MaxBreak < FirstBreak ? "FirstBreak must be at least one second and at most MaxBreak"
        : AttemptTimeout <= TimeSpan.Zero ? "AttemptTimeout must be positive"
        : SlowestLinkBytesPerSecond <= 0 ? "SlowestLinkBytesPerSecond must be positive"
        : null;

    /// <summary>Retry outside the breaker: every attempt counts towards opening it, and while it is open the round ends at once.</summary>
    public ResiliencePipeline Pipeline(TimeProvider time, ILogger log)
    {
        var transient = new PredicateBuilder().Handle<RpcException>(e => Transient.Contains(e.StatusCode));
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = transient,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = FirstRetryDelay,
                MaxDelay = MaxRetryDelay,
                MaxRetryAttempts = MaxRetries,
                OnRetry = args =>
                {
                    log.LogWarning("Hub unreachable ({Reason}); retry {Attempt} in {Delay}",
                        args.Outcome.Exception?.Message, args.AttemptNumber + 1, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            });
        }

        return builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = transient,
                FailureRatio = 0.5,
                MinimumThroughput = BreakAfterFailures,
                SamplingDuration = SamplingDuration,
                BreakDurationGenerator = args => ValueTask.FromResult(Break(args.HalfOpenAttempts)),
                OnOpened = args =>
                {
                    log.LogError("Hub unreachable ({Reason}); not calling it again for {Break}",
                        args.Outcome.Exception?.Message, args.BreakDuration);
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    log.LogInformation("Hub reachable again");
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    private TimeSpan Break(int failedProbes) =>
        TimeSpan.FromTicks(Math.Min(MaxBreak.Ticks, FirstBreak.Ticks << Math.Min(failedProbes, 20)));
}
