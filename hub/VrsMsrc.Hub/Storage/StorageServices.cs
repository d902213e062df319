using VrsMsrc.Hub.Accounts;
using VrsMsrc.Hub.Audit;
using VrsMsrc.Hub.Configuration;
using VrsMsrc.Hub.Nodes;
using VrsMsrc.Hub.Trends.Alerts;

namespace VrsMsrc.Hub.Storage;

internal static class StorageServices
{
    /// <summary>The stores of the provider hub.json names (Storage:Provider), opened and migrated when the host is built.</summary>
    public static IServiceCollection AddHubStorage(this IServiceCollection services, HubPaths paths, StorageSettings storage, TimeProvider time) => services
        .AddSingleton(_ => HubStores.Open(paths, storage, time))
        .AddSingleton(sp => sp.GetRequiredService<HubStores>().Cells)
        .AddSingleton(sp => sp.GetRequiredService<HubStores>().Registry)
        .AddSingleton(sp => sp.GetRequiredService<HubStores>().Accounts)
        .AddSingleton(sp => sp.GetRequiredService<HubStores>().Audit)
        .AddSingleton(sp => sp.GetRequiredService<HubStores>().Alerts);
}
