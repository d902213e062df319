using Microsoft.Extensions.Time.Testing;
using VrsMsrc.Contracts.V1;

namespace VrsMsrc.Hub.Tests.Storage;

/// <summary>What a node says of itself at Hello (for the operators' node status), on either store.</summary>
public abstract class NodeHelloTests(StoreProvider provider) : IDisposable
{
    private readonly TempHubStore _store = new(provider);

    [Fact]
    public void Each_node_keeps_only_its_last_hello()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));
        var registry = _store.Registry(clock);

        registry.RecordHello("ITA", new HelloRequest { SoftwareVersion = "0.1.0", CodeListsVersion = "2026.1", OutboxDepth = 4 });
        registry.RecordHello("GRC", new HelloRequest { SoftwareVersion = "0.1.0", CodeListsVersion = "2026.1", OutboxDepth = 0 });
        clock.Advance(TimeSpan.FromHours(1));
        registry.RecordHello("ITA", new HelloRequest { SoftwareVersion = "0.2.0", CodeListsVersion = "2026.2", OutboxDepth = 1 });

        var latest = registry.Hellos();
        Assert.Equal(["GRC", "ITA"], latest.Keys.Order());
        Assert.Equal((1L, "0.2.0", "2026.2", clock.GetUtcNow().ToString("O")),
            (latest["ITA"].OutboxDepth, latest["ITA"].SoftwareVersion, latest["ITA"].CodeListsVersion, latest["ITA"].At));
        Assert.Equal(0, latest["GRC"].OutboxDepth);
    }

    public void Dispose()
    {
        _store.Dispose();
        GC.SuppressFinalize(this);
    }
}

[Trait("Category", "Unit")]
public sealed class NodeHelloTestsOnSqlite() : NodeHelloTests(StoreProvider.Sqlite);

[Trait("Category", "Unit")]
[Trait("Store", "postgres")]
public sealed class NodeHelloTestsOnPostgres() : NodeHelloTests(StoreProvider.Postgres);
