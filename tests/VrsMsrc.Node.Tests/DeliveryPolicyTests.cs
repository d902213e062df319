using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;
using VrsMsrc.Node.Configuration;
using VrsMsrc.Node.Outbox;

namespace VrsMsrc.Node.Tests;

[Trait("Category", "Unit")]
public sealed class DeliveryPolicyTests
{
    private static readonly RpcException Down = new(new Status(StatusCode.Unavailable, "connection refused"));

    [Fact]
    public async Task Three_failed_attempts_open_the_circuit_and_it_stays_open_for_the_break()
    {
        var time = new FakeTimeProvider();
        var pipeline = new DeliveryPolicy { MaxRetries = 0 }.Pipeline(time, NullLogger.Instance);
        var calls = 0;
        ValueTask Call(CancellationToken _)
        {
            calls++;
            throw Down;
        }

        for (var i = 0; i < 3; i++)
        {
            time.Advance(TimeSpan.FromMinutes(2));
            await Assert.ThrowsAsync<RpcException>(async () => await pipeline.ExecuteAsync(Call));
        }

        // A few calls over minutes are all a node makes: they must be enough to open the circuit.
        var open = await Assert.ThrowsAsync<BrokenCircuitException>(async () => await pipeline.ExecuteAsync(Call));
        Assert.Equal(3, calls);
        Assert.Equal(StatusCode.Unavailable, Assert.IsType<RpcException>(open.InnerException).StatusCode);

        time.Advance(TimeSpan.FromSeconds(31));
        await Assert.ThrowsAsync<RpcException>(async () => await pipeline.ExecuteAsync(Call));
        Assert.Equal(4, calls);

        // The probe failed: the next break is twice as long.
        time.Advance(TimeSpan.FromSeconds(45));
        await Assert.ThrowsAsync<BrokenCircuitException>(async () => await pipeline.ExecuteAsync(Call));
        time.Advance(TimeSpan.FromSeconds(16));
        await pipeline.ExecuteAsync(_ => ValueTask.CompletedTask);
        await Assert.ThrowsAsync<RpcException>(async () => await pipeline.ExecuteAsync(Call));
    }

    [Fact]
    public async Task Retries_follow_only_the_transient_codes()
    {
        foreach (var (code, expectedCalls) in new[] { (StatusCode.Unavailable, 3), (StatusCode.InvalidArgument, 1), (StatusCode.Unauthenticated, 1), (StatusCode.DeadlineExceeded, 3) })
        {
            // A fresh breaker each time: three transient failures open it.
            var pipeline = new DeliveryPolicy { MaxRetries = 2, FirstRetryDelay = TimeSpan.FromMilliseconds(1) }.Pipeline(TimeProvider.System, NullLogger.Instance);
            var calls = 0;
            await Assert.ThrowsAsync<RpcException>(async () => await pipeline.ExecuteAsync(_ =>
            {
                calls++;
                throw new RpcException(new Status(code, "x"));
            }));
            Assert.Equal(expectedCalls, calls);
        }
    }

    [Fact]
    public async Task Refusals_of_a_release_never_open_the_circuit()
    {
        var pipeline = new DeliveryPolicy { MaxRetries = 0 }.Pipeline(TimeProvider.System, NullLogger.Instance);
        for (var i = 0; i < 10; i++)
        {
            await Assert.ThrowsAsync<RpcException>(async () => await pipeline.ExecuteAsync(_ => throw new RpcException(new Status(StatusCode.InvalidArgument, "bad month"))));
        }

        await pipeline.ExecuteAsync(_ => ValueTask.CompletedTask);
    }

    [Fact]
    public void A_push_gets_time_for_its_size_over_the_slowest_line()
    {
        var policy = new DeliveryPolicy();
        Assert.Equal(TimeSpan.FromMinutes(2), policy.PushTimeout(0));
        Assert.Equal(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(6400), policy.PushTimeout(100 << 20));
    }

    [Fact]
    public void Node_json_may_tune_delivery_and_nonsense_is_refused_with_the_setting_named()
    {
        using var node = new TempNode();
        var paths = node.Context.Paths;
        var settings = NodeSettings.Load(paths);
        (settings with { Delivery = new DeliveryPolicy { AttemptTimeout = TimeSpan.FromSeconds(30) } }).Save(paths);
        Assert.Equal(TimeSpan.FromSeconds(30), NodeSettings.Load(paths).Delivery.AttemptTimeout);
        Assert.Equal(3, NodeSettings.Load(paths).Delivery.BreakAfterFailures);

        (settings with { Delivery = new DeliveryPolicy { BreakAfterFailures = 1 } }).Save(paths);
        var error = Assert.Throws<Contracts.Cli.CommandException>(() => NodeSettings.Load(paths));
        Assert.EndsWith("node.json: Delivery: BreakAfterFailures must be at least 2", error.Message, StringComparison.Ordinal);
    }
}
