using System.CommandLine;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Hub.Configuration;

namespace VrsMsrc.Hub.Serving;

/// <summary>vrs-hub serve: the exchange and analyst listeners until SIGINT/SIGTERM.</summary>
internal static class ServeCommand
{
    public static Command Create(Option<DirectoryInfo> dataDir)
    {
        var exchangeUrl = new Option<string?>("--exchange-url") { Description = "Override hub.json's ExchangeUrl" };
        var analystUrl = new Option<string?>("--analyst-url") { Description = "Override hub.json's AnalystUrl" };
        var command = new Command("serve", "Run the hub") { dataDir, exchangeUrl, analystUrl };
        command.SetHandler(async (parse, ct) =>
        {
            var paths = HubPaths.Existing(parse.GetValue(dataDir)!);
            var settings = HubSettings.Load(paths);
            settings = settings with
            {
                ExchangeUrl = parse.GetValue(exchangeUrl) ?? settings.ExchangeUrl,
                AnalystUrl = parse.GetValue(analystUrl) ?? settings.AnalystUrl,
            };
            var listeners = new HubListeners();
            await using var app = HubServer.Build(paths, settings, TimeProvider.System, listeners);
            await app.StartAsync(ct);
            app.Logger.LogInformation("Hub serving: exchange (mutual TLS) on port {Exchange}, analysts on port {Analyst}", listeners.ExchangePort, listeners.AnalystPort);
            await app.WaitForShutdownAsync(ct);
            return 0;
        });
        return command;
    }
}
