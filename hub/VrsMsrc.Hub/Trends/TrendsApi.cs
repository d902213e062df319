using VrsMsrc.Hub.Trends.Alerts;

namespace VrsMsrc.Hub.Trends;

internal static class TrendsApi
{
    /// <summary>
    /// The questions beside the series, their JSON form (gRPC JSON transcoding of the Trends service),
    /// and the detection pass that runs after ingests.
    /// </summary>
    public static IServiceCollection AddTrendsApi(this IServiceCollection services)
    {
        services.AddGrpc().AddJsonTranscoding();
        return services
            .AddSingleton<TrendQueries>()
            .AddSingleton<AlertPass>()
            .AddSingleton<AlertDetection>()
            .AddSingleton<IngestSignal>()
            .AddHostedService<AlertRefresher>();
    }
}
