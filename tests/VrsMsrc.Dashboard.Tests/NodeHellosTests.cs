using Microsoft.Extensions.Time.Testing;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Dashboard;
using VrsMsrc.Hub.Storage;

namespace VrsMsrc.Dashboard.Tests;

[Trait("Category", "Unit")]
public sealed class NodeHellosTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("vrs-hellos-");

    [Fact]
    public void Each_node_keeps_only_its_last_hello()
    {
        var database = new HubDatabase(Path.Combine(_dir.FullName, "hub.db"));
        database.Migrate();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));
        var hellos = new NodeHellos(database, clock);

        hellos.Record("ITA", new HelloRequest { SoftwareVersion = "0.1.0", CodeListsVersion = "2026.1", OutboxDepth = 4 });
        hellos.Record("GRC", new HelloRequest { SoftwareVersion = "0.1.0", CodeListsVersion = "2026.1", OutboxDepth = 0 });
        clock.Advance(TimeSpan.FromHours(1));
        hellos.Record("ITA", new HelloRequest { SoftwareVersion = "0.2.0", CodeListsVersion = "2026.2", OutboxDepth = 1 });

        var latest = hellos.Latest();
        Assert.Equal(["GRC", "ITA"], latest.Keys.Order());
        Assert.Equal((1L, "0.2.0", "2026.2", clock.GetUtcNow().ToString("O")),
            (latest["ITA"].OutboxDepth, latest["ITA"].SoftwareVersion, latest["ITA"].CodeListsVersion, latest["ITA"].At));
        Assert.Equal(0, latest["GRC"].OutboxDepth);
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
