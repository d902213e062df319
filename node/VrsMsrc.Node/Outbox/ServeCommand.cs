using System.CommandLine;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Node.Configuration;

namespace VrsMsrc.Node.Outbox;

/// <summary>vrs-node serve: the long-running node (for now the background publisher) until SIGINT/SIGTERM.</summary>
internal static class ServeCommand
{
    public static Command Create(Option<DirectoryInfo> dataDir)
    {
        var command = new Command("serve", "Run the node: deliver releases to the hub in the background") { dataDir };
        command.SetHandler(async (parse, ct) =>
        {
            var builder = Host.CreateApplicationBuilder();
            var dir = parse.GetValue(dataDir)!;
            builder.Services.AddSingleton(sp => NodeContext.Open(dir, sp.GetRequiredService<ILogger<NodeContext>>()));
            builder.Services.AddHostedService<PublisherService>();
            using var host = builder.Build();
            await host.RunAsync(ct);
            return 0;
        });
        return command;
    }
}
