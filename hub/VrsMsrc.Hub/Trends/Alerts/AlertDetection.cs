namespace VrsMsrc.Hub.Trends.Alerts;

/// <summary>Runs a detection pass and stores what it found: after ingests, and on demand.</summary>
internal sealed class AlertDetection(AlertPass pass, IAlertStore store, TimeProvider time) : IDisposable
{
    // Passes replace all alerts; two at once would only race to write the same thing.
    private readonly SemaphoreSlim _one = new(1, 1);

    public async Task<AlertRun> RunAsync(string trigger, CancellationToken cancellationToken = default)
    {
        await _one.WaitAsync(cancellationToken);
        try
        {
            var started = time.GetUtcNow();
            var result = await Task.Run(() => pass.Run(cancellationToken), cancellationToken);
            var run = new AlertRun(started, time.GetUtcNow(), trigger, result.SeriesWatched, result.Alerts.Count, result.FirstMonth, result.LastMonth);
            store.Replace(result.Alerts, run);
            return run;
        }
        finally
        {
            _one.Release();
        }
    }

    public void Dispose() => _one.Dispose();
}
