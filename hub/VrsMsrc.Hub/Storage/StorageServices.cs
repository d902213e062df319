using VrsMsrc.Hub.Configuration;
using VrsMsrc.Hub.Nodes;

namespace VrsMsrc.Hub.Storage;

internal static class StorageServices
{
    public static IServiceCollection AddHubStorage(this IServiceCollection services, HubPaths paths, TimeProvider time) => services
        .AddSingleton(new HubDatabase(paths.Database))
        .AddSingleton<ICellStore, SqliteCellStore>()
        .AddSingleton<INodeRegistry>(sp => new SqliteNodeRegistry(sp.GetRequiredService<HubDatabase>(), time));
}
