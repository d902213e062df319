using System.CommandLine;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Hub.Accounts;
using VrsMsrc.Hub.Audit;
using VrsMsrc.Hub.Operations;
using VrsMsrc.Hub.Pki;
using VrsMsrc.Hub.Security;
using VrsMsrc.Hub.Serving;
using VrsMsrc.Hub.Setup;
using VrsMsrc.Hub.Storage;
using VrsMsrc.Hub.Trends;
using VrsMsrc.Hub.Trends.Detection;
using VrsMsrc.Hub.Trends.Alerts;
using VrsMsrc.Hub.Trends.Similarity;

var dataDir = CommandLine.DataDirOption();
var root = new RootCommand("VrsMsrc hub: regional CA, exchange with nodes, trends for analysts")
{
    InitCommand.Create(dataDir),
    PkiCommands.Create(dataDir),
    PkiCommands.Nodes(dataDir),
    UserCommands.Create(dataDir),
    AuditCommand.Create(dataDir),
    StatusCommand.Create(dataDir),
    ServeCommand.Create(dataDir),
    QueryCommands.Create(dataDir),
    DetectCommand.Create(),
    AlertCommands.Create(dataDir),
    SimilarCommand.Create(dataDir),
    HubOperations.Config(dataDir),
    HubOperations.FreshnessCommand(dataDir),
    HubOperations.BackupCommand(dataDir),
    HubOperations.RestoreCommand(dataDir),
    MigrateStoreCommand.Create(dataDir),
};
return await CommandLine.RunAsync(root, args);
