using Dapper;
using VrsMsrc.Hub.Storage;

namespace VrsMsrc.Hub.Tests;

/// <summary>
/// The store's layout (one row per state and month, a JSON block per table in it) and its in-memory cache:
/// answers follow every newer version, from this store or another process, and hubs upgraded from the
/// one-row-per-cell or the block-per-table layout keep their cells.
/// </summary>
[Trait("Category", "Unit")]
public sealed class CellBlockStoreTests : IDisposable
{
    private readonly TempHubStore _store = new();

    public void Dispose() => _store.Dispose();

    /// <summary>The block layout is SQLite's; PostgreSQL keeps a row per cell.</summary>
    private SqliteCellStore Sqlite => (SqliteCellStore)_store.Cells;

    private static CellQuery Corridors(string? from = null, string? to = null, params string[] states) =>
        new("corridors", "migrants", 2, from, to, states, []);

    private static List<string> Read(SqliteCellStore store, CellQuery query) =>
        [.. store.Cells(query).Select(c => $"{c.State} {c.Month} {string.Join('/', c.Dims)} {c.Value}").Order(StringComparer.Ordinal)];

    [Fact]
    public void A_newer_version_replaces_what_an_earlier_question_read_and_cached()
    {
        _store.Apply(TempHubStore.Release("ITA", ("2024-01", 1, "corridors", ["central_mediterranean", "sea"], "migrants", 100)));
        Assert.Equal(["ITA 2024-01 central_mediterranean/sea 100"], Read(Sqlite, Corridors()));

        _store.Apply(TempHubStore.Release("ITA",
            ("2024-01", 2, "corridors", ["central_mediterranean", "sea"], "migrants", 130),
            ("2024-01", 2, "corridors", ["western_balkan", "land"], "migrants", 20)));

        Assert.Equal(["ITA 2024-01 central_mediterranean/sea 130", "ITA 2024-01 western_balkan/land 20"], Read(Sqlite, Corridors()));
    }

    [Fact]
    public void After_one_state_is_replaced_its_months_are_read_again_and_the_other_states_come_from_the_cache()
    {
        _store.Apply(TempHubStore.Release("ITA",
            ("2024-01", 1, "corridors", ["central_mediterranean", "sea"], "migrants", 100),
            ("2024-02", 1, "corridors", ["central_mediterranean", "sea"], "migrants", 110)));
        _store.Apply(TempHubStore.Release("GRC", ("2024-02", 1, "corridors", ["eastern_mediterranean", "sea"], "migrants", 50)));
        Assert.Equal(3, Read(Sqlite, Corridors()).Count);

        _store.Apply(TempHubStore.Release("ITA", ("2024-02", 2, "corridors", ["western_balkan", "land"], "migrants", 20)));

        Assert.Equal(
            ["GRC 2024-02 eastern_mediterranean/sea 50", "ITA 2024-01 central_mediterranean/sea 100", "ITA 2024-02 western_balkan/land 20"],
            Read(Sqlite, Corridors()));
        Assert.Equal(["ITA 2024-02 western_balkan/land 20"], Read(Sqlite, Corridors("2024-02", null, "ITA")));
    }

    [Fact]
    public async Task A_release_applied_by_another_process_is_seen_by_a_store_that_cached_the_month()
    {
        _store.Apply(TempHubStore.Release("ITA", ("2024-01", 1, "corridors", ["central_mediterranean", "sea"], "migrants", 100)));
        Assert.Equal(["ITA 2024-01 central_mediterranean/sea 100"], Read(Sqlite, Corridors()));

        // Another store on the same file stands for another process: this store's cache knows nothing of its write.
        using (var other = new SqliteCellStore(_store.SqliteDatabase))
        {
            await other.ApplyAsync(TempHubStore.Release("ITA", ("2024-01", 2, "corridors", ["central_mediterranean", "sea"], "migrants", 140)).Checked(),
                "ab", DateTimeOffset.UtcNow, null, CancellationToken.None);
        }

        Assert.Equal(["ITA 2024-01 central_mediterranean/sea 140"], Read(Sqlite, Corridors()));
        Assert.Equal([("ITA", "2024-01")], _store.Cells.Coverage(Corridors()));
    }

    [Fact]
    public void Month_range_states_and_filters_select_the_same_cells_as_the_former_sql()
    {
        _store.Apply(TempHubStore.Release("ITA",
            ("2024-01", 1, "corridors", ["central_mediterranean", "sea"], "migrants", 100),
            ("2024-02", 1, "corridors", ["central_mediterranean", "sea"], "migrants", 110),
            ("2024-03", 1, "corridors", ["western_balkan", "land"], "migrants", 5)));
        _store.Apply(TempHubStore.Release("GRC", ("2024-02", 1, "corridors", ["eastern_mediterranean", "sea"], "migrants", 50)));

        Assert.Equal(["GRC 2024-02 eastern_mediterranean/sea 50", "ITA 2024-02 central_mediterranean/sea 110"], Read(Sqlite, Corridors("2024-02", "2024-02")));
        Assert.Equal(["ITA 2024-02 central_mediterranean/sea 110", "ITA 2024-03 western_balkan/land 5"], Read(Sqlite, Corridors("2024-02", null, "ITA")));
        Assert.Equal(["GRC 2024-02 eastern_mediterranean/sea 50", "ITA 2024-01 central_mediterranean/sea 100", "ITA 2024-02 central_mediterranean/sea 110"],
            Read(Sqlite, Corridors() with { Filters = [(1, "sea")] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => _store.Cells.Cells(Corridors() with { Filters = [(2, "sea")] }));
    }

    [Fact]
    public async Task Values_that_need_json_escaping_come_back_as_they_were_sent_through_the_store_and_the_cells_view()
    {
        // The exchange lets no such code through; the stored form must still not depend on that.
        string[] odd = ["quote\"back\\slash", "tab\tnew\nline"];
        var writer = new CellBlockWriter();
        writer.BeginMonth();
        writer.BeginBlock(CellBlockCodec.Member("corridors"));
        writer.Cell(7, CellBlockCodec.Field("migrants"), [CellBlockCodec.Field(odd[0]), CellBlockCodec.Field(odd[1])]);
        var block = writer.EndBlock();
        var month = writer.EndMonth();
        await _store.Cells.ApplyAsync(
            new CheckedRelease(Guid.CreateVersion7().ToString(), "ITA", [new CheckedMonth("2024-01", 1, [new CheckedTable("corridors", 1, writer.Written[block])], writer.Written[month])]),
            "ab", DateTimeOffset.UtcNow, null, CancellationToken.None);

        var cell = Assert.Single(_store.Cells.Cells(Corridors()));
        Assert.Equal(odd, cell.Dims);
        using var connection = _store.SqliteDatabase.Open(readOnly: true);
        var row = connection.QuerySingle<(string Dim0, string Dim1, string Dim2, long Value)>("SELECT dim0, dim1, dim2, value FROM cells");
        Assert.Equal((odd[0], odd[1], "", 7L), row);
    }

    [Fact]
    public void Upgrading_a_hub_from_one_row_per_cell_keeps_every_cell()
    {
        // The schema as it was before migration 005, with cells in the old layout.
        Upgraded(4,
            """
            INSERT INTO month_versions VALUES ('ITA', '2024-01', 'corridors', 1, 'r1'), ('ITA', '2024-01', 'totals', 1, 'r1'), ('GRC', '2024-01', 'corridors', 1, 'r2');
            INSERT INTO cells VALUES
                ('ITA', 'corridors', '2024-01', 'migrants', 'central_mediterranean', 'sea', '', '', 100),
                ('ITA', 'corridors', '2024-01', 'incidents', 'central_mediterranean', 'sea', '', '', 9),
                ('ITA', 'totals', '2024-01', 'migrants', '', '', '', '', 140),
                ('GRC', 'corridors', '2024-01', 'migrants', 'eastern_mediterranean', 'sea', '', '', 50);
            """,
            (store, check) =>
            {
                Assert.Equal(["GRC 2024-01 eastern_mediterranean/sea 50", "ITA 2024-01 central_mediterranean/sea 100"], Read(store, Corridors()));
                Assert.Equal(["ITA 2024-01  140"], Read(store, new CellQuery("totals", "migrants", 0, null, null, [], [])));
                Assert.Equal(4, check.ExecuteScalar<long>("SELECT COUNT(*) FROM cells"));
                Assert.Equal(299, check.ExecuteScalar<long>("SELECT SUM(value) FROM cells"));
                Assert.Equal(2, check.ExecuteScalar<long>("SELECT COUNT(*) FROM month_cells"));
            });
    }

    [Fact]
    public void Upgrading_a_hub_from_a_block_per_table_makes_a_row_per_month_at_its_newest_version()
    {
        // The schema as it was before migration 008; a hand-made release once replaced the corridors alone
        // (stored first, so the month's release must come from its newest version, not the last row read).
        Upgraded(7,
            """
            INSERT INTO month_versions VALUES ('ITA', '2024-01', 'corridors', 2, 'r2'), ('ITA', '2024-01', 'totals', 1, 'r1'), ('ITA', '2024-01', 'deaths', 1, 'r1');
            INSERT INTO cell_blocks VALUES
                ('corridors', '2024-01', 'ITA', '[[100,"migrants","central_mediterranean","sea","",""],[9,"incidents","central_mediterranean","sea","",""]]'),
                ('totals', '2024-01', 'ITA', '[[140,"migrants","","","",""]]');
            """,
            (store, check) =>
            {
                Assert.Equal(["ITA 2024-01 central_mediterranean/sea 100"], Read(store, Corridors()));
                Assert.Equal(["ITA 2024-01  140"], Read(store, new CellQuery("totals", "migrants", 0, null, null, [], [])));
                Assert.Equal(("ITA", "2024-01", 2L, "r2"), check.QuerySingle<(string, string, long, string)>("SELECT state, month, version, release_id FROM month_cells"));
                Assert.Equal(["corridors", "deaths", "totals"], check.Query<string>("SELECT tbl FROM month_versions ORDER BY tbl"));
                Assert.Equal(3, check.ExecuteScalar<long>("SELECT COUNT(*) FROM cells"));
            });
    }

    /// <summary>A hub file at the schema of the first <paramref name="migrations"/> scripts, holding <paramref name="data"/>, upgraded as a new hub version opens it.</summary>
    private static void Upgraded(int migrations, string data, Action<SqliteCellStore, System.Data.IDbConnection> check)
    {
        var dir = Directory.CreateTempSubdirectory("vrs-hub-migrate-");
        try
        {
            var database = new HubDatabase(Path.Combine(dir.FullName, "hub.db"));
            using (var connection = database.Open())
            {
                var assembly = typeof(HubDatabase).Assembly;
                connection.Execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
                foreach (var name in assembly.GetManifestResourceNames().Where(n => n.Contains(".Migrations.00", StringComparison.Ordinal)).Order(StringComparer.Ordinal).Take(migrations))
                {
                    using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
                    connection.Execute(reader.ReadToEnd());
                    connection.Execute("INSERT INTO schema_migrations VALUES (@v, @name, '2026-01-01')", new { v = int.Parse(name[(name.IndexOf(".Migrations.", StringComparison.Ordinal) + 12)..][..3], System.Globalization.CultureInfo.InvariantCulture), name });
                }

                connection.Execute(data);
            }

            database.Migrate();

            using var store = new SqliteCellStore(database);
            using var opened = database.Open(readOnly: true);
            check(store, opened);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            dir.Delete(recursive: true);
        }
    }
}
