using Grpc.Core;
using VrsMsrc.Node.Configuration;

namespace VrsMsrc.Node.Outbox;

/// <summary>Delivers the outbox in the background of 'serve', every PublishInterval, for as long as it runs.</summary>
internal sealed class PublisherService(NodeContext node, ILogger<PublisherService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Within a round the pipeline rides out short outages; between rounds the interval paces us.
        var publisher = node.Publisher(maxRetries: 6, firstDelay: TimeSpan.FromSeconds(2));
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
            catch (RpcException e)
            {
                log.LogError("Hub refused the node: {Code} {Detail}", e.StatusCode, e.Status.Detail);
            }

            await Task.Delay(node.Settings.PublishInterval, node.Time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
