using System.Text;
using Microsoft.Data.Sqlite;
using VrsMsrc.Hub.Audit;
using VrsMsrc.Hub.Configuration;
using VrsMsrc.Hub.Security;
using VrsMsrc.Hub.Setup;
using VrsMsrc.Hub.Storage;
using VrsMsrc.System.Tests.Infrastructure;

namespace VrsMsrc.System.Tests.Security;

/// <summary>
/// Tampering with the audit log on disk: one byte changed in the database file is found by
/// 'vrs-hub audit --verify', which names the entry.
/// </summary>
[Trait("Category", "Security")]
public sealed class AuditTamperTests : IDisposable
{
    private readonly HubPaths _paths = HubSetup.Init(Directory.CreateTempSubdirectory("vrs-hub-audit-"), [], new HubSettings(), TimeProvider.System);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_paths.DataDir, recursive: true);
        }
        catch (IOException)
        {
            // See TestHub.DisposeAsync.
        }
    }

    /// <summary>Ten entries; the seventh carries a marker that can be found in the file's bytes.</summary>
    private void WriteEntries()
    {
        var admin = AdminContext.Open(_paths, TimeProvider.System);
        for (var i = 1; i <= 10; i++)
        {
            admin.Audit.Append("user:tester", "query.series", AuditOutcome.Ok,
                AuditChain.Detail(("table", i == 7 ? "MARKER-SEVENTH-ENTRY" : "totals"), ("rows", i)));
        }

        // Everything into the main file, so that the bytes changed below are the ones SQLite reads.
        using var connection = new HubDatabase(_paths.Database).Open();
        using var checkpoint = connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        checkpoint.ExecuteNonQuery();
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task An_intact_log_verifies()
    {
        WriteEntries();
        var (exit, stdout, stderr) = await HubCli.RunAsync("audit", "--verify", "--data-dir", _paths.DataDir);
        Assert.True(exit == 0, stderr);
        Assert.Contains("audit log intact: 10 entries", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_changed_byte_in_the_database_file_is_reported_with_the_broken_entry()
    {
        WriteEntries();
        var bytes = await File.ReadAllBytesAsync(_paths.Database);
        var marker = Encoding.UTF8.GetBytes("MARKER-SEVENTH-ENTRY");
        var at = bytes.AsSpan().IndexOf(marker);
        Assert.True(at > 0, "the marker is not in the database file");
        Assert.Equal(-1, bytes.AsSpan(at + 1).IndexOf(marker)); // exactly one copy: no index holds the detail
        bytes[at + 7] ^= 0x01; // 'S' becomes 'R': the same length, a plausible-looking edit
        await File.WriteAllBytesAsync(_paths.Database, bytes);

        var (exit, _, stderr) = await HubCli.RunAsync("audit", "--verify", "--data-dir", _paths.DataDir);

        Assert.Equal(AuditCommand.Broken, exit);
        // Named after the program even when started as 'dotnet vrs-hub.dll', as the tests start it.
        Assert.StartsWith("vrs-hub: audit log broken at entry 7", stderr, StringComparison.Ordinal);
        Assert.Contains("was altered", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Updating_or_deleting_an_entry_through_SQL_is_refused()
    {
        WriteEntries();
        var admin = AdminContext.Open(_paths, TimeProvider.System);
        using var connection = new HubDatabase(_paths.Database).Open();
        using var update = connection.CreateCommand();
        update.CommandText = "UPDATE audit SET detail = '{}' WHERE seq = 3";
        Assert.Throws<SqliteException>(() => update.ExecuteNonQuery());
        update.CommandText = "DELETE FROM audit WHERE seq = 3";
        Assert.Throws<SqliteException>(() => update.ExecuteNonQuery());
        Assert.True(admin.Audit.Verify().Intact);
    }
}
