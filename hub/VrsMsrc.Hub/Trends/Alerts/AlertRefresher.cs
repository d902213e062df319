using System.Threading.Channels;

namespace VrsMsrc.Hub.Trends.Alerts;

/// <summary>
/// Tells the alert refresher that a release was applied. Never blocks the push that calls it; the
/// refresher drains every signal waiting when it starts a pass.
/// </summary>
internal sealed class IngestSignal
{
    private readonly Channel<string> _applied = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    public void ReleaseApplied(string state) => _applied.Writer.TryWrite(state);

    internal ChannelReader<string> Reader => _applied.Reader;
}

/// <summary>
/// Runs the detection pass off the request path after ingests. It waits <see cref="Debounce"/> after a
/// release before running, so that the releases of several nodes arriving together cost one pass; a
/// release arriving during a pass causes one more pass after it. At start it runs once if releases exist
/// that no pass has looked at yet (for example after an upgrade).
/// </summary>
internal sealed class AlertRefresher(IngestSignal signal, AlertDetection detection, IAlertStore alerts, Storage.ICellStore cells, TimeProvider time, ILogger<AlertRefresher> log)
    : BackgroundService
{
    public static TimeSpan Debounce { get; } = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (alerts.LastRun() is null && cells.Coverage(new Storage.CellQuery("totals", "", 0, null, null, [], [])).Count > 0)
        {
            await RunAsync("start", stoppingToken);
        }

        while (await signal.Reader.WaitToReadAsync(stoppingToken))
        {
            await Task.Delay(Debounce, time, stoppingToken);
            var states = new SortedSet<string>(StringComparer.Ordinal);
            while (signal.Reader.TryRead(out var state))
            {
                states.Add(state);
            }

            await RunAsync($"ingest {string.Join(' ', states)}", stoppingToken);
        }
    }

    private async Task RunAsync(string trigger, CancellationToken stoppingToken)
    {
        try
        {
            var run = await detection.RunAsync(trigger, stoppingToken);
            log.LogInformation("Alert pass ({Trigger}): {Series} series watched, {Alerts} alerts, {Seconds:0.0} s",
                trigger, run.SeriesWatched, run.Alerts, (run.FinishedAt - run.StartedAt).TotalSeconds);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A failed pass leaves the previous alerts in place; the next release tries again.
            log.LogError(e, "Alert pass ({Trigger}) failed", trigger);
        }
    }
}
