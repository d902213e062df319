using Dapper;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Node.Configuration;
using VrsMsrc.System.Tests.Infrastructure;

namespace VrsMsrc.System.Tests.Operations;

/// <summary>
/// The disaster-recovery path of the operator guide: a node's disk is lost after a backup; it is
/// restored with 'vrs-node restore', sends again what the hub already has (answered DUPLICATE), the
/// files imported since the backup are imported again, and delivery resumes: at the hub every release
/// once, every month at its newest version, and the node's transparency log equal to the hub's chain.
/// </summary>
[Trait("Category", "System")]
public sealed class DisasterRecoveryTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("vrs-dr-");
    private HubProcess? _hub;
    private TestNode? _node;

    [Fact]
    public async Task A_node_restored_from_backup_resumes_pushing_without_duplicates_or_gaps()
    {
        _hub = await HubProcess.StartAsync();
        _node = TestNode.Enrolled(_hub, "ITA");
        Assert.Equal(1, (await _node.ImportReleasePushAsync(300, 1)).Push.Delivered);

        // A release queued but not yet delivered when the nightly backup runs.
        _node.Context.Importer().ImportFile(_node.WriteFile("second.csv", SyntheticIncidents.Csv("ITA", 200, 2)), "incidents", null);
        Assert.NotNull(_node.Context.Releases().Release());
        var backup = Path.Combine(_work.FullName, "backup");
        var (backedUp, backupOutput) = await ServiceProcess.RunAsync("vrs-node", "backup", backup, "--data-dir", _node.Paths.DataDir);
        Assert.True(backedUp == 0, backupOutput);

        // After the backup: the release is delivered, and another file is imported (the national team keeps its files).
        Assert.Equal(1, (await _node.PushAsync()).Delivered);
        var third = Path.Combine(_work.FullName, "third.csv");
        await File.WriteAllTextAsync(third, SyntheticIncidents.Csv("ITA", 250, 3));
        _node.Context.Importer().ImportFile(third, "incidents", null);

        // The disk is lost.
        Directory.Delete(_node.Paths.DataDir, recursive: true);
        var restoredDir = Path.Combine(_work.FullName, "restored");
        var (restored, restoreOutput) = await ServiceProcess.RunAsync("vrs-node", "restore", backup, "--data-dir", restoredDir);
        Assert.True(restored == 0, restoreOutput);
        Assert.Contains("1 pending as of the backup", restoreOutput, StringComparison.Ordinal);

        var node = new NodeContext(new NodePaths(restoredDir), TimeProvider.System);
        var resend = await node.Publisher(maxRetries: 1, firstDelay: TimeSpan.FromMilliseconds(50)).PublishAsync(CancellationToken.None);
        Assert.Equal((0, 1, 0), (resend.Delivered, resend.Duplicates, resend.StillPending));

        node.Importer().ImportFile(third, "incidents", null);
        Assert.NotNull(node.Releases().Release());
        var resumed = await node.Publisher(maxRetries: 1, firstDelay: TimeSpan.FromMilliseconds(50)).PublishAsync(CancellationToken.None);
        Assert.Equal((1, 0, 0), (resumed.Delivered, resumed.Duplicates, resumed.StillPending));

        // Nothing doubled, nothing missing: the outbox against the hub's releases and cells, month by month.
        var check = DeliveryChecker.Verify(_hub.Database, node.Database);
        Assert.Equal(3, check.Releases);
        using (var hub = _hub.Database.Open(readOnly: true))
        {
            Assert.Equal(3, hub.ExecuteScalar<long>("SELECT COUNT(*) FROM releases WHERE state = 'ITA'"));
            Assert.Equal(1, hub.ExecuteScalar<long>("SELECT COUNT(*) FROM audit WHERE action = 'push' AND outcome = 'duplicate'"));
            var hubChain = hub.QuerySingle<(long Length, string Head)>("SELECT seq, entry_hash FROM release_chain WHERE state = 'ITA' ORDER BY seq DESC LIMIT 1");
            Assert.Equal(hubChain, node.TransparencyLog.Head());
        }

        Assert.Null(node.TransparencyLog.Verify().Break);
        using var months = node.Database.Open(readOnly: true);
        Assert.Equal(0, months.ExecuteScalar<long>("SELECT COUNT(*) FROM months WHERE changed = 1"));
    }

    public void Dispose()
    {
        _node?.Dispose();
        _hub?.Dispose();
        _work.Delete(recursive: true);
    }
}
