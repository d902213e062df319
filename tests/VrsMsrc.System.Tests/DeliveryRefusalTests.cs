using Grpc.Core;
using VrsMsrc.Contracts;
using VrsMsrc.Contracts.CodeLists;
using VrsMsrc.Contracts.V1;
using VrsMsrc.System.Tests.Infrastructure;

namespace VrsMsrc.System.Tests;

/// <summary>Which answers of a hub dead-letter a release, and which only stop the round with the release kept pending.</summary>
[Trait("Category", "System")]
public sealed class DeliveryRefusalTests : IAsyncLifetime
{
    private TestHub _hub = null!;
    private TestNode _node = null!;
    private readonly FakeExchange _exchange = new()
    {
        OnHello = _ => new HelloResponse { SchemaVersion = Protocol.SchemaVersion, CodeListsVersion = Codes.Version, State = "ITA" },
    };

    private FakeHub _fake = null!;

    public async Task InitializeAsync()
    {
        _hub = await TestHub.StartAsync();
        _node = TestNode.Enrolled(_hub, "ITA");
        _fake = await FakeHub.StartAsync(_hub.Paths, _exchange);
        _node.Context.Importer().ImportFile(_node.WriteFile("a.csv", SyntheticIncidents.Csv("ITA", 200, seed: 41)), "incidents", null);
        Assert.NotNull(_node.Context.Releases().Release());
    }

    public async Task DisposeAsync()
    {
        await _fake.DisposeAsync();
        _node.Dispose();
        await _hub.DisposeAsync();
    }

    private Task<Node.Outbox.PublishResult> PushAsync(CancellationToken ct = default) =>
        _node.Context.Publisher(maxRetries: 1, TimeSpan.FromMilliseconds(10), _fake.Url).PublishAsync(ct);

    [Theory]
    [InlineData(StatusCode.InvalidArgument, true)]
    [InlineData(StatusCode.PermissionDenied, true)]
    [InlineData(StatusCode.AlreadyExists, true)]
    [InlineData(StatusCode.Unauthenticated, false)]
    [InlineData(StatusCode.FailedPrecondition, false)]
    [InlineData(StatusCode.Internal, false)]
    [InlineData(StatusCode.Unknown, false)]
    [InlineData(StatusCode.Unimplemented, false)]
    public async Task Only_a_judgement_on_the_release_dead_letters_it(StatusCode code, bool deadLetter)
    {
        _exchange.OnPush = _ => throw new RpcException(new Status(code, "the fake hub says no"));

        var result = await PushAsync();

        Assert.Equal(deadLetter ? (1, 0) : (0, 1), (result.DeadLettered, result.StillPending));
        Assert.Equal($"{code}: the fake hub says no", _node.Context.Outbox.Counts().LastError);
        // 'vrs-node status' lists each dead letter with the hub's reason.
        var refused = Node.Outbox.NodeStatus.Read(_node.Context).Where(s => s.Label == "refused release").Select(s => s.Value).ToList();
        Assert.Equal(deadLetter ? 1 : 0, refused.Count);
        Assert.All(refused, r => Assert.EndsWith($" months): {code}: the fake hub says no", r, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refused_release_requeued_after_the_hub_was_fixed_is_delivered_unchanged()
    {
        _exchange.OnPush = _ => throw new RpcException(new Status(StatusCode.InvalidArgument, "unknown code list entry"));
        Assert.Equal(1, (await PushAsync()).DeadLettered);
        var releaseId = Assert.Single(_node.Context.Outbox.DeadLetters()).ReleaseId;

        var (exit, _, stderr) = await CliProcess.RunAsync("vrs-node", "requeue", "no-such-release", "--data-dir", _node.Paths.DataDir);
        Assert.Equal(1, exit);
        Assert.StartsWith("vrs-node: not a refused release: no-such-release", stderr, StringComparison.Ordinal);
        Assert.Equal(1L, _node.Context.Outbox.Counts().Dead);

        (exit, var stdout, stderr) = await CliProcess.RunAsync("vrs-node", "requeue", "--data-dir", _node.Paths.DataDir);
        Assert.True(exit == 0, stderr);
        Assert.Contains(releaseId, stdout, StringComparison.Ordinal);

        // The real hub (the node's configured one) takes the same release id and bytes.
        var result = await _node.Context.Publisher(maxRetries: 1, TimeSpan.FromMilliseconds(10)).PublishAsync(CancellationToken.None);
        Assert.Equal((1, 0, 0), (result.Delivered, result.DeadLettered, result.StillPending));
        Assert.Empty(_node.Context.Outbox.DeadLetters());
    }

    [Fact]
    public async Task Stopping_the_node_in_the_middle_of_a_push_leaves_the_release_pending()
    {
        var pushing = new TaskCompletionSource();
        _exchange.OnPush = async context =>
        {
            pushing.SetResult();
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
            return new PushReceipt();
        };
        using var stop = new CancellationTokenSource();

        var publishing = PushAsync(stop.Token);
        await pushing.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await publishing);
        var counts = _node.Context.Outbox.Counts();
        Assert.Equal((1L, 0L), (counts.Pending, counts.Dead));
    }
}
