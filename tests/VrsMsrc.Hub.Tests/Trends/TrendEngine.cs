using Microsoft.Extensions.Time.Testing;
using VrsMsrc.Hub.Nodes;
using VrsMsrc.Hub.Trends;
using VrsMsrc.Hub.Trends.Alerts;

namespace VrsMsrc.Hub.Tests.Trends;

/// <summary>The trends engine over a test store, as the hub wires it, with a clock the test holds.</summary>
internal static class TrendEngine
{
    public static FakeTimeProvider Clock() => new(new DateTimeOffset(2025, 1, 15, 12, 0, 0, TimeSpan.Zero));

    public static TrendQueries Queries(TempHubStore store, TimeProvider? time = null) =>
        new(new SeriesEngine(store.Cells), store.Cells, store.Registry(time ?? Clock()), store.Alerts, time ?? Clock());

    public static AlertDetection Detection(TempHubStore store, TimeProvider? time = null) =>
        new(new AlertPass(new SeriesEngine(store.Cells)), store.Alerts, time ?? Clock());
}
