using System.CommandLine;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Hub.Audit;
using VrsMsrc.Hub.Configuration;
using VrsMsrc.Hub.Storage.Postgres;

namespace VrsMsrc.Hub.Storage;

/// <summary>
/// vrs-hub migrate-store --from sqlite --to postgres --connection CS: moves a hub's data into an empty
/// PostgreSQL database, checks the copy, and points hub.json at it. hub.db is left untouched as the
/// way back.
/// </summary>
internal static class MigrateStoreCommand
{
    public static Command Create(Option<DirectoryInfo> dataDir)
    {
        var from = new Option<string>("--from") { Description = "The store the hub uses now", Required = true };
        from.AcceptOnlyFromAmong(StorageSettings.Sqlite);
        var to = new Option<string>("--to") { Description = "The store to move to", Required = true };
        to.AcceptOnlyFromAmong(StorageSettings.Postgres);
        var connection = new Option<string>("--connection") { Description = "Npgsql connection string of an empty database (keep the password in a passfile)", Required = true };
        var command = new Command("migrate-store", "Move the hub's data from SQLite to PostgreSQL (stop 'serve' first)") { dataDir, from, to, connection };
        command.SetHandler((parse, _) =>
        {
            var paths = HubPaths.Existing(parse.GetValue(dataDir)!);
            var settings = HubSettings.Load(paths);
            if (settings.Storage.Provider != StorageSettings.Sqlite)
            {
                throw new CommandException($"hub.json says this hub uses {settings.Storage.Provider} already");
            }

            var storage = new StorageSettings { Provider = StorageSettings.Postgres, ConnectionString = parse.GetValue(connection) };
            StoreMigrationReport report;
            using (var target = new PostgresDatabase(storage.ConnectionString!))
            {
                report = StoreMigration.Copy(new HubDatabase(paths.Database), target);
            }

            settings = settings with { Storage = storage };
            settings.Save(paths);
            using (var stores = HubStores.Open(paths, settings.Storage, TimeProvider.System))
            {
                stores.Audit.Append(AuditActor.Cli(), "store.migrate", AuditOutcome.Ok, AuditChain.Detail(
                    ("from", StorageSettings.Sqlite), ("to", StorageSettings.Postgres),
                    ("rows", report.Tables.Sum(t => t.Rows)), ("audit_head", report.AuditHead)));
            }

            foreach (var (table, rows) in report.Tables)
            {
                Console.WriteLine($"{table,-16} {rows,12} rows");
            }

            Console.WriteLine($"audit log copied intact: {report.AuditEntries} entries, head {report.AuditHead}");
            Console.WriteLine($"hub.json now uses PostgreSQL; {paths.Database} is unchanged (delete it once the hub runs well on PostgreSQL).");
            return Task.FromResult(0);
        });
        return command;
    }
}
