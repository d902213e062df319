using System.CommandLine;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Node.Ingest;
using VrsMsrc.Node.Operations;
using VrsMsrc.Node.Outbox;
using VrsMsrc.Node.Release;
using VrsMsrc.Node.Setup;
using VrsMsrc.Node.Transparency;

var dataDir = CommandLine.DataDirOption();
var root = new RootCommand("VrsMsrc node: keeps the state's records, releases protected tables to the hub")
{
    SetupCommands.Init(dataDir),
    SetupCommands.Enrol(dataDir),
    ImportCommand.Import(dataDir),
    ImportCommand.Delete(dataDir),
    ReleaseCommands.Release(dataDir),
    ReleaseCommands.Preview(dataDir),
    OutboxCommands.Push(dataDir),
    OutboxCommands.Requeue(dataDir),
    OutboxCommands.Status(dataDir),
    LogCommand.Create(dataDir),
    ServeCommand.Create(dataDir),
    ApiKeyCommands.Create(dataDir),
    NodeOperations.Config(dataDir),
    NodeOperations.BackupCommand(dataDir),
    NodeOperations.RestoreCommand(dataDir),
};
return await CommandLine.RunAsync(root, args);
