using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using VrsMsrc.Node.Outbox;
using VrsMsrc.System.Tests.Infrastructure;

namespace VrsMsrc.System.Tests;

[Trait("Category", "System")]
public sealed class PublisherTests
{
    [Fact]
    public async Task The_background_publisher_of_serve_drains_the_outbox_in_order()
    {
        await using var hub = await TestHub.StartAsync();
        using var node = TestNode.Enrolled(hub, "HRV");
        for (var batch = 0; batch < 3; batch++)
        {
            var file = node.WriteFile($"b{batch}.csv", SyntheticIncidents.Csv("HRV", 300, seed: 10 + batch).Replace("REF-HRV-", $"REF-HRV-{batch}-", StringComparison.Ordinal));
            node.Context.Importer().ImportFile(file, "incidents", null);
            Assert.NotNull(node.Context.Releases().Release());
        }

        var service = new PublisherService(node.Context, NullLogger<PublisherService>.Instance);
        await service.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (node.Context.Outbox.Counts().Pending > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        await service.StopAsync(CancellationToken.None);
        Assert.Equal(0, node.Context.Outbox.Counts().Pending);

        using var connection = node.Context.Database.Open(readOnly: true);
        var sent = connection.Query<string>("SELECT release_id FROM outbox ORDER BY seq").ToList();
        var received = hub.Database.Open(readOnly: true).Query<string>("SELECT release_id FROM releases ORDER BY rowid").ToList();
        Assert.Equal(sent, received);
    }

    [Fact]
    public async Task While_the_hub_is_unreachable_releases_stay_pending_with_the_reason()
    {
        // Enrolled at a hub that has stopped since: every connection attempt is refused.
        TestNode node;
        await using (var hub = await TestHub.StartAsync())
        {
            node = TestNode.Enrolled(hub, "POL");
        }

        using (node)
        {
            var file = node.WriteFile("a.csv", SyntheticIncidents.Csv("POL", 200, seed: 20));
            node.Context.Importer().ImportFile(file, "incidents", null);
            node.Context.Releases().Release();

            var result = await node.PushAsync();

            Assert.Equal((0, 1), (result.Delivered, result.StillPending));
            Assert.StartsWith("Unavailable", result.LastError, StringComparison.Ordinal);
            var counts = node.Context.Outbox.Counts();
            Assert.Equal((1L, 0L), (counts.Pending, counts.Dead));
            Assert.StartsWith("Unavailable", counts.LastError, StringComparison.Ordinal);
        }
    }
}
