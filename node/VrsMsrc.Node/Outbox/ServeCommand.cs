using System.CommandLine;
using System.Net;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Contracts.Security;
using VrsMsrc.Node.Configuration;
using VrsMsrc.Node.Ingest;
using VrsMsrc.Node.Operations;

namespace VrsMsrc.Node.Outbox;

/// <summary>vrs-node serve: the ingest API and the background publisher, until SIGINT/SIGTERM.</summary>
internal static class ServeCommand
{
    public static Command Create(Option<DirectoryInfo> dataDir)
    {
        var command = new Command("serve", "Run the node: the ingest API for case systems, and delivery of releases to the hub") { dataDir };
        command.SetHandler(async (parse, ct) =>
        {
            await using var app = Build(NodeContext.Open(parse.GetValue(dataDir)!), []);
            await app.RunAsync(ct);
            return 0;
        });
        return command;
    }

    public static WebApplication Build(NodeContext node, string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Services.AddSingleton(node);
        builder.Services.AddHostedService<PublisherService>();
        builder.AddNodeOperations(node);
        var uri = new Uri(node.Settings.IngestUrl);
        var address = uri.Host is "localhost" ? IPAddress.Loopback : IPAddress.Parse(uri.Host.Trim('[', ']'));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = IngestApi.MaxBodyBytes;
            kestrel.Listen(address, uri.Port, listen =>
            {
                if (uri.Scheme == "https")
                {
                    listen.UseHttps(RegionalTrust.LoadWithKey(node.Settings.IngestCertificate!, node.Settings.IngestKey!));
                }
            });
        });
        var app = builder.Build();
        app.MapIngestApi();
        app.MapNodeOperations();
        return app;
    }
}
