using Dapper;
using VrsMsrc.Hub.Configuration;
using VrsMsrc.System.Tests.Infrastructure;

namespace VrsMsrc.System.Tests.Storage;

/// <summary>A hub on SQLite moved to PostgreSQL with 'vrs-hub migrate-store', then serving its nodes from there.</summary>
[Trait("Category", "System")]
[Trait("Store", "postgres")]
public sealed class MigrateStoreTests
{
    [Fact]
    public async Task A_hub_moved_to_PostgreSQL_keeps_its_releases_and_audit_chain_and_takes_new_releases()
    {
        using var database = new TestPostgres();
        using var hub = await HubProcess.StartAsync();
        using var node = TestNode.Enrolled(hub, "GRC");
        Assert.Equal(1, (await node.ImportReleasePushAsync(400, seed: 1)).Push.Delivered);
        hub.Kill();

        var (exit, stdout, stderr) = await HubCli.RunAsync(
            "migrate-store", "--data-dir", hub.Paths.DataDir, "--from", "sqlite", "--to", "postgres", "--connection", database.ConnectionString);

        Assert.True(exit == 0, stderr);
        Assert.Contains("audit log copied intact", stdout, StringComparison.Ordinal);
        Assert.Equal(StorageSettings.Postgres, HubSettings.Load(hub.Paths).Storage.Provider);

        // The same hub, restarted (on a new port), now serves from PostgreSQL: the node's next release lands there.
        await hub.RestartAsync();
        Faults.FaultRig.Import(node, "second", 300, seed: 2);
        Assert.NotNull(node.Context.Releases().Release());
        var push = await node.Context.Publisher(maxRetries: 1, firstDelay: TimeSpan.FromMilliseconds(50), hub.ExchangeUrl).PublishAsync(CancellationToken.None);
        Assert.True(push.Delivered == 1, push.LastError);
        var check = DeliveryChecker.Verify(hub.OpenDatabase, node.Context.Database);
        Assert.Equal(2, check.Releases);
        using (var connection = hub.OpenDatabase())
        {
            Assert.Equal(1L, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM audit WHERE action = 'store.migrate'"));
        }

        var verify = await HubCli.RunAsync("audit", "--verify", "--data-dir", hub.Paths.DataDir);
        Assert.True(verify.ExitCode == 0, verify.Stderr);

        var again = await HubCli.RunAsync(
            "migrate-store", "--data-dir", hub.Paths.DataDir, "--from", "sqlite", "--to", "postgres", "--connection", database.ConnectionString);
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("uses postgres already", again.Stderr, StringComparison.Ordinal);
    }
}
