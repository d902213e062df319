using VrsMsrc.Hub.Accounts;
using VrsMsrc.Hub.Audit;
using VrsMsrc.Hub.Configuration;
using VrsMsrc.Hub.Nodes;
using VrsMsrc.Hub.Storage;

namespace VrsMsrc.Hub.Security;

/// <summary>
/// What an operator's command at the hub's machine works with: the stores of the data directory, and
/// the audit log in which it records its acts as "cli:&lt;login&gt;".
/// </summary>
internal sealed class AdminContext
{
    private AdminContext(HubPaths paths, TimeProvider time)
    {
        Paths = paths;
        Settings = HubSettings.Load(paths);
        Time = time;
        Stores = HubStores.Open(paths, Settings.Storage, time);
        Audit = Stores.Audit;
        Registry = Stores.Registry;
        AccountStore = Stores.Accounts;
        Accounts = new AccountService(AccountStore, Audit, Settings, time);
    }

    public HubPaths Paths { get; }
    public HubSettings Settings { get; }
    public TimeProvider Time { get; }
    public HubStores Stores { get; }
    public IAuditLog Audit { get; }
    public INodeRegistry Registry { get; }
    public IAccountStore AccountStore { get; }
    public AccountService Accounts { get; }
    public string Actor { get; } = AuditActor.Cli();

    public static AdminContext Open(DirectoryInfo dataDir) => new(HubPaths.Existing(dataDir), TimeProvider.System);

    public static AdminContext Open(HubPaths paths, TimeProvider time) => new(paths, time);
}
