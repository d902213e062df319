using System.CommandLine;
using System.Globalization;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Configuration;
using VrsMsrc.Hub.Nodes;
using VrsMsrc.Hub.Security;
using VrsMsrc.Hub.Storage;
using VrsMsrc.Hub.Trends;
using VrsMsrc.Hub.Trends.Coverage;

namespace VrsMsrc.Hub.Operations;

/// <summary>One state as the hub operator watches it.</summary>
internal sealed record StateFreshness(
    string State, bool Enabled, long Releases, DateTimeOffset? LastReleaseAt, string? FirstMonth, string? LastMonth,
    int MonthsCovered, int Gaps, int LagMonths, double? DaysSinceLastRelease, string Status);

/// <summary>
/// Per state: its last release, the months it covers and how far behind it is, from the same coverage
/// the analysts' Coverage query answers (so both always agree), judged against Freshness:LateAfterMonths.
/// </summary>
internal static class Freshness
{
    public static IReadOnlyList<StateFreshness> Read(ICellStore cells, INodeRegistry registry, HubSettings settings, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var enabled = registry.List().ToDictionary(n => n.State, n => n.Enabled, StringComparer.Ordinal);
        return new CoverageQuery(cells, registry, time).Answer(new CoverageRequest(), TrendQueries.All).Nodes.Select(n =>
        {
            DateTimeOffset? last = n.LastReleaseAt is { Length: > 0 } at ? DateTimeOffset.Parse(at, CultureInfo.InvariantCulture) : null;
            var status = !enabled.GetValueOrDefault(n.State, false) ? "disabled"
                : n.Months == 0 ? "never released"
                : n.MonthsBehind > settings.Freshness.LateAfterMonths ? "late"
                : "ok";
            return new StateFreshness(n.State, enabled.GetValueOrDefault(n.State, false), n.Releases, last,
                n.Months == 0 ? null : n.FirstMonth, n.Months == 0 ? null : n.LastMonth, n.Months, n.Gaps, n.MonthsBehind,
                last is { } l ? Math.Round((now - l).TotalDays, 1) : null, status);
        }).ToList();
    }

    public static Command Command(Option<DirectoryInfo> dataDir)
    {
        var format = CommandLine.FormatOption("table", "csv", "json");
        var command = new Command("freshness", "Per state: last release, months covered, lag in months, and whether it is late") { dataDir, format };
        command.SetHandler((parse, _) =>
        {
            var admin = AdminContext.Open(parse.GetValue(dataDir)!);
            var rows = Read(admin.Stores.Cells, admin.Registry, admin.Settings, admin.Time);
            TabularOutput.Write(Console.Out, parse.GetValue(format)!,
                ["state", "status", "last_release_at", "days_since", "first_month", "last_month", "months_covered", "gaps", "lag_months", "releases"],
                rows.Select(r => new object?[]
                {
                    r.State, r.Status, r.LastReleaseAt?.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), r.DaysSinceLastRelease,
                    r.FirstMonth, r.LastMonth, r.MonthsCovered, r.Gaps, r.LagMonths, r.Releases,
                }));
            return Task.FromResult(0);
        });
        return command;
    }
}
