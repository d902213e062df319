using System.Globalization;
using System.Text;
using Dapper;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Contracts.Operations;
using VrsMsrc.Node.Configuration;
using VrsMsrc.Node.Operations;

namespace VrsMsrc.Node.Tests.Operations;

/// <summary>'vrs-node backup' while imports and releases write, and 'restore' of what it made.</summary>
[Trait("Category", "Unit")]
public sealed class NodeBackupTests : IDisposable
{
    private const string Header = "ref,detected_on,border_type,context,corridor,nationality,migrants\n";
    private readonly TempNode _node = new();
    private readonly List<string> _dirs = [];

    private string NewDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "vrs-backup-test-" + Guid.NewGuid().ToString("N"));
        _dirs.Add(dir);
        return dir;
    }

    private static string Batch(int batch, int rows)
    {
        var csv = new StringBuilder(Header);
        for (var i = 0; i < rows; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"b{batch}-{i},2025-{1 + (batch % 12):00}-{1 + (i % 28):00},SEA,at_sea,,SYR,{1 + (i % 30)}\n");
        }

        return csv.ToString();
    }

    [Fact]
    public async Task A_backup_taken_under_concurrent_writes_is_one_consistent_state_and_restores()
    {
        _node.Import("first.csv", Batch(0, 200));
        using var stop = new CancellationTokenSource();
        var batches = 0;
        // Another connection keeps importing and releasing while the backups run, as 'serve' and a cron job would.
        var writer = Task.Run(() =>
        {
            for (var batch = 1; !stop.IsCancellationRequested; batch++)
            {
                _node.Import($"batch{batch}.csv", Batch(batch, 300));
                _node.Context.Releases().Release();
                batches = batch;
            }
        });

        var backups = new List<(string Dir, BackupManifest Manifest)>();
        for (var i = 0; i < 4; i++)
        {
            await Task.Delay(150);
            var dir = NewDir();
            backups.Add((dir, DataDirectoryBackup.Create(NodeOperations.Backup, _node.Context.Paths.DataDir, dir, TimeProvider.System)));
        }

        await stop.CancelAsync();
        await writer;
        Assert.True(batches >= 2, $"the writer ran only {batches} batches beside the backups");
        Assert.True(backups.Select(b => b.Manifest.Rows["incidents"]).Distinct().Count() > 1, "every backup saw the same state: the writes did not overlap them");

        foreach (var (dir, manifest) in backups)
        {
            Assert.Equal("ok", manifest.IntegrityCheck);
            Assert.Equal(["node.db", "node.json", "node.key", "node.csr"], manifest.Files.Select(f => f.Path));
            using (var copy = Contracts.Storage.SqliteDatabase.Open(Path.Combine(dir, "node.db"), readOnly: true))
            {
                // Each import stores its rows and its imports row in one transaction; each release its outbox row and its months.
                Assert.Equal(copy.ExecuteScalar<long>("SELECT SUM(rows_stored) FROM imports"), copy.ExecuteScalar<long>("SELECT COUNT(*) FROM incidents"));
                Assert.Equal(manifest.Rows["incidents"], copy.ExecuteScalar<long>("SELECT COUNT(*) FROM incidents"));
                Assert.Equal(0, copy.ExecuteScalar<long>("SELECT COUNT(*) FROM months m WHERE m.version > (SELECT COUNT(*) FROM outbox)"));
            }

            Assert.False(File.Exists(Path.Combine(dir, "node.db-wal")), "the copy must not depend on a WAL file");
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, "node.key")));
            }

            var restored = NewDir();
            DataDirectoryBackup.Restore(NodeOperations.Backup, dir, restored);
            var node = NodeContext.Open(new DirectoryInfo(restored));
            Assert.Equal("ITA", node.Settings.State);
            var (integrity, rows, _) = DataDirectoryBackup.Inspect(node.Paths.Database, [.. manifest.Rows.Keys]);
            Assert.Equal("ok", integrity);
            Assert.Equal(manifest.Rows.OrderBy(r => r.Key), rows.OrderBy(r => r.Key));
            Assert.Equal(File.ReadAllBytes(_node.Context.Paths.Key), File.ReadAllBytes(node.Paths.Key));
        }
    }

    [Fact]
    public void Restore_refuses_a_damaged_backup_a_hub_backup_and_a_data_directory_in_use()
    {
        _node.Import("a.csv", Batch(1, 50));
        var dir = NewDir();
        DataDirectoryBackup.Create(NodeOperations.Backup, _node.Context.Paths.DataDir, dir, TimeProvider.System);
        Assert.True(DataDirectoryBackup.Verify(NodeOperations.Backup, dir).SchemaVersion >= 3);

        var inUse = Assert.Throws<CommandException>(() => DataDirectoryBackup.Restore(NodeOperations.Backup, dir, _node.Context.Paths.DataDir));
        Assert.Contains("already holds a node", inUse.Message, StringComparison.Ordinal);

        var notEmpty = Assert.Throws<CommandException>(() => DataDirectoryBackup.Create(NodeOperations.Backup, _node.Context.Paths.DataDir, dir, TimeProvider.System));
        Assert.Contains("is not empty", notEmpty.Message, StringComparison.Ordinal);

        File.AppendAllText(Path.Combine(dir, "node.json"), " ");
        var damaged = Assert.Throws<CommandException>(() => DataDirectoryBackup.Restore(NodeOperations.Backup, dir, NewDir()));
        Assert.EndsWith("node.json is not the file that was backed up (size or SHA-256 differs)", damaged.Message, StringComparison.Ordinal);

        var hubPlan = NodeOperations.Backup with { Service = "hub" };
        var foreign = Assert.Throws<CommandException>(() => DataDirectoryBackup.Verify(hubPlan, dir));
        Assert.EndsWith("is a backup of a node, not of a hub", foreign.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Retention_deletes_rejects_reports_past_their_days_only()
    {
        var rejected = _node.Import("bad.csv", Header + "r1,2025-03-02,SEA,at_sea,,QQQ,12\n");
        Assert.NotNull(rejected.RejectsFile);
        var old = Path.Combine(_node.Context.RejectsDir, "old.rejects.csv");
        File.WriteAllText(old, "line,field,value,reason\n");
        File.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddDays(-91));

        Assert.Equal(1, RetentionService.PruneRejects(_node.Context));
        Assert.False(File.Exists(old));
        Assert.True(File.Exists(rejected.RejectsFile));
    }

    public void Dispose()
    {
        _node.Dispose();
        foreach (var dir in _dirs.Where(Directory.Exists))
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
