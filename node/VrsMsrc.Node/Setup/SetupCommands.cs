using System.CommandLine;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Node.Configuration;

namespace VrsMsrc.Node.Setup;

/// <summary>vrs-node init and enrol.</summary>
internal static class SetupCommands
{
    public static Command Init(Option<DirectoryInfo> dataDir)
    {
        var state = new Option<string>("--state") { Description = "This node's state, ISO 3166-1 alpha-3", Required = true };
        var hub = new Option<string?>("--hub") { Description = "The hub's exchange address, e.g. https://hub.example:7443" };
        var threshold = new Option<int>("--threshold") { Description = "Cells below this are not published (at least 5)", DefaultValueFactory = _ => 10 };
        var ingest = new Option<string?>("--ingest-url") { Description = "Where 'serve' listens for case systems (default http://127.0.0.1:7480)" };
        var command = new Command("init", "Create the node's configuration, database, key pair and certificate signing request") { dataDir, state, hub, threshold, ingest };
        command.SetHandler((parse, _) =>
        {
            var paths = NodeSetup.Init(parse.GetValue(dataDir)!, parse.GetValue(state)!, parse.GetValue(hub), parse.GetValue(threshold), parse.GetValue(ingest));
            Console.WriteLine($"Node initialised in {paths.DataDir}");
            Console.WriteLine($"Send {paths.Csr} to the hub operator (the private key {paths.Key} never leaves this machine),");
            Console.WriteLine("then install what comes back with 'vrs-node enrol --cert NODE.crt --ca CA.crt'.");
            return Task.FromResult(0);
        });
        return command;
    }

    public static Command Enrol(Option<DirectoryInfo> dataDir)
    {
        var cert = new Option<FileInfo>("--cert") { Description = "The node certificate signed by the hub", Required = true };
        var ca = new Option<FileInfo>("--ca") { Description = "The regional CA certificate", Required = true };
        var command = new Command("enrol", "Install the certificate the hub operator signed, after checking it") { dataDir, cert, ca };
        command.SetHandler((parse, _) =>
        {
            var notAfter = NodeSetup.Enrol(NodePaths.Existing(parse.GetValue(dataDir)!), parse.GetValue(cert)!, parse.GetValue(ca)!);
            Console.WriteLine($"Certificate installed, valid until {notAfter:yyyy-MM-dd}.");
            return Task.FromResult(0);
        });
        return command;
    }
}
