using Dapper;
using Grpc.Core;
using VrsMsrc.Contracts;
using VrsMsrc.Contracts.CodeLists;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Node.Exchange;
using VrsMsrc.System.Tests.Infrastructure;

namespace VrsMsrc.System.Tests;

/// <summary>Hello: each side refuses the other's incompatible schema in words an operator can act on; the corridor list travels.</summary>
[Trait("Category", "System")]
public sealed class HelloNegotiationTests : IAsyncLifetime
{
    private TestHub _hub = null!;
    private TestNode _node = null!;

    public async Task InitializeAsync()
    {
        _hub = await TestHub.StartAsync();
        _node = TestNode.Enrolled(_hub, "ITA");
    }

    public async Task DisposeAsync()
    {
        _node.Dispose();
        await _hub.DisposeAsync();
    }

    private void QueueRelease()
    {
        _node.Context.Importer().ImportFile(_node.WriteFile("a.csv", SyntheticIncidents.Csv("ITA", 200, seed: 40)), "incidents", null);
        Assert.NotNull(_node.Context.Releases().Release());
    }

    [Theory]
    [InlineData(2, "node 9.9.9 speaks schema 2, this hub ({0}) schema 1: the hub must be upgraded before this node pushes")]
    [InlineData(0, "node 9.9.9 speaks schema 0, this hub ({0}) schema 1: upgrade the node")]
    public async Task The_hub_refuses_a_node_of_another_schema_and_says_which_side_to_upgrade(int schema, string message)
    {
        using var channel = HubConnection.Open(_node.Paths, _node.Context.Settings);
        var client = new Exchange.ExchangeClient(channel);

        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.HelloAsync(new HelloRequest { SchemaVersion = schema, SoftwareVersion = "9.9.9", CodeListsVersion = Codes.Version }));

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Equal(string.Format(global::System.Globalization.CultureInfo.InvariantCulture, message, Protocol.SoftwareVersion), refused.Status.Detail);
    }

    [Theory]
    [InlineData(2, "ITA", "hub 9.9.9 speaks schema 2, this node")]
    [InlineData(1, "FRA", "the hub takes this node's certificate for FRA, but node.json says ITA")]
    public async Task A_node_refuses_an_incompatible_hub_and_keeps_its_releases_for_later(int schema, string state, string reason)
    {
        QueueRelease();
        var exchange = new FakeExchange
        {
            OnHello = _ => new HelloResponse { SchemaVersion = schema, SoftwareVersion = "9.9.9", CodeListsVersion = Codes.Version, State = state },
            OnPush = _ => throw new InvalidOperationException("a node must not push to an incompatible hub"),
        };
        await using var fake = await FakeHub.StartAsync(_hub.Paths, exchange);

        var result = await _node.Context.Publisher(maxRetries: 1, TimeSpan.FromMilliseconds(10), fake.Url).PublishAsync(CancellationToken.None);

        Assert.Equal((0, 0, 1), (result.Delivered, result.DeadLettered, result.StillPending));
        Assert.StartsWith(reason, result.LastError, StringComparison.Ordinal);
        var counts = _node.Context.Outbox.Counts();
        Assert.Equal((1L, 0L), (counts.Pending, counts.Dead));
        Assert.StartsWith(reason, counts.LastError, StringComparison.Ordinal);

        // The command says so in one line and fails.
        var (code, output) = await ServiceProcess.RunAsync("vrs-node", "push", "--data-dir", _node.Paths.DataDir, "--hub", fake.Url);
        Assert.Equal(1, code);
        Assert.Contains($": delivery stopped ({reason}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_hello_brings_the_hubs_corridor_list()
    {
        using (var connection = _hub.Database.Open())
        {
            connection.Execute("INSERT INTO corridors (code, name) VALUES ('andaman_sea', 'Andaman Sea Route')");
        }

        var result = await _node.PushAsync();

        Assert.Null(result.LastError);
        Assert.Equal("Andaman Sea Route", _node.Context.Database.Corridors().Entries.Single(c => c.Code == "andaman_sea").Name);
        Assert.Equal(_hub.Count("SELECT COUNT(*) FROM corridors"), _node.Context.Database.Corridors().Entries.Count());
    }

    [Fact]
    public async Task An_unchanged_corridor_list_is_not_written_again()
    {
        Assert.Null((await _node.PushAsync()).LastError);
        using var watcher = _node.Context.Database.Open(readOnly: true);
        var before = watcher.ExecuteScalar<long>("PRAGMA data_version");

        Assert.Null((await _node.PushAsync()).LastError);

        // data_version moves when another connection commits a change to the file.
        Assert.Equal(before, watcher.ExecuteScalar<long>("PRAGMA data_version"));
    }
}
