using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Storage;

namespace VrsMsrc.Hub.Tests;

/// <summary>A migrated hub database in a temporary folder, with a helper to apply releases to it.</summary>
internal sealed class TempHubStore : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("vrs-hub-test-");

    public TempHubStore()
    {
        Database = new HubDatabase(Path.Combine(_dir.FullName, "hub.db"));
        Database.Migrate();
        Cells = new SqliteCellStore(Database);
    }

    public HubDatabase Database { get; }
    public SqliteCellStore Cells { get; }

    public static Release Release(string state, params (string Month, long Version, string Table, string[] Dims, string Measure, long Value)[] cells)
    {
        var release = new Release { ReleaseId = Guid.CreateVersion7().ToString(), State = state, SchemaVersion = 1 };
        foreach (var month in cells.GroupBy(c => (c.Month, c.Version)))
        {
            var m = new MonthRelease { Month = month.Key.Month, Version = month.Key.Version };
            foreach (var table in Contracts.Catalogue.ReleaseCatalogue.All)
            {
                var t = new TableCells { Table = table.Name };
                t.Cells.AddRange(month.Where(c => c.Table == table.Name)
                    .Select(c => new Cell { Measure = c.Measure, Value = c.Value, Dims = { c.Dims } }));
                m.Tables.Add(t);
            }

            release.Months.Add(m);
        }

        return release;
    }

    public ApplyResult Apply(Release release, string? sha256Hex = null) =>
        Cells.ApplyAsync(release, sha256Hex ?? Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow, CancellationToken.None).GetAwaiter().GetResult();

    public void Dispose()
    {
        Cells.Dispose();
        try
        {
            _dir.Delete(recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold the file for a moment; the temp folder is not worth a failure.
        }
    }
}
