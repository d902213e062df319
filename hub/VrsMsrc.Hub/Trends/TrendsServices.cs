namespace VrsMsrc.Hub.Trends;

internal static class TrendsServices
{
    public static IServiceCollection AddHubTrends(this IServiceCollection services) => services
        .AddSingleton<SeriesEngine>()
        .AddSingleton<AuditedQueries>();
}
