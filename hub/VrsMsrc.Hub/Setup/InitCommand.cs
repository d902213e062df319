using System.CommandLine;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Hub.Configuration;

namespace VrsMsrc.Hub.Setup;

/// <summary>vrs-hub init: the regional CA, the hub's server certificate, settings and database.</summary>
internal static class InitCommand
{
    public static Command Create(Option<DirectoryInfo> dataDir)
    {
        var hostnames = new Option<string[]>("--hostname")
        {
            Description = "Name or address nodes use to reach the hub (repeatable); localhost and 127.0.0.1 are always included",
            AllowMultipleArgumentsPerToken = false,
        };
        var exchangeUrl = new Option<string>("--exchange-url") { Description = "Mutual-TLS listener for nodes", DefaultValueFactory = _ => new HubSettings().ExchangeUrl };
        var analystUrl = new Option<string>("--analyst-url") { Description = "HTTPS listener for analysts", DefaultValueFactory = _ => new HubSettings().AnalystUrl };
        var storage = new Option<string>("--storage") { Description = "Where the hub keeps its data: sqlite (hub.db here) or postgres", DefaultValueFactory = _ => StorageSettings.Sqlite };
        storage.AcceptOnlyFromAmong(StorageSettings.Sqlite, StorageSettings.Postgres);
        var connection = new Option<string?>("--connection") { Description = "PostgreSQL connection string for --storage postgres (keep the password in a passfile)" };
        var command = new Command("init", "Create the regional CA, the hub certificate and the hub database") { dataDir, hostnames, exchangeUrl, analystUrl, storage, connection };
        command.SetHandler((parse, _) =>
        {
            var paths = HubSetup.Init(
                parse.GetValue(dataDir)!,
                parse.GetValue(hostnames) ?? [],
                new HubSettings
                {
                    ExchangeUrl = parse.GetValue(exchangeUrl)!, AnalystUrl = parse.GetValue(analystUrl)!,
                    Storage = new StorageSettings { Provider = parse.GetValue(storage)!, ConnectionString = parse.GetValue(connection) }.Validated(),
                },
                TimeProvider.System);
            Console.WriteLine($"Hub initialised in {paths.DataDir}");
            Console.WriteLine($"  regional CA certificate: {paths.CaCertificate} (give this to every node)");
            Console.WriteLine($"  CA private key:          {paths.CaKey} (keep offline copies safe; never share)");
            Console.WriteLine("Next: sign each node's CSR with 'vrs-hub pki sign NODE.csr --node ISO3', then 'vrs-hub serve'.");
            return Task.FromResult(0);
        });
        return command;
    }
}
