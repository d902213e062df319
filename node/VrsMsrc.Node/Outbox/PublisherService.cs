using VrsMsrc.Contracts.Cli;
using VrsMsrc.Node.Configuration;

namespace VrsMsrc.Node.Outbox;

/// <summary>Delivers the outbox in the background of 'serve', every PublishInterval, for as long as it runs.</summary>
internal sealed class PublisherService(NodeContext node, ILogger<PublisherService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Within a round the retries ride out short outages; across rounds the circuit breaker and the
        // interval pace the node while the hub is away.
        var publisher = node.Publisher(node.Settings.Delivery, log: log);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var result = await publisher.PublishAsync(stoppingToken);
                if (result.StillPending > 0)
                {
                    log.LogWarning("{Pending} releases still pending: {Error}", result.StillPending, result.LastError);
                }
            }
            catch (CommandException e)
            {
                // Not enrolled yet, or no hub address: the operator can fix it while the node runs.
                log.LogError("Cannot deliver: {Reason}", e.Message);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            await Task.Delay(node.Settings.PublishInterval, node.Time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
