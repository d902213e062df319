using System.CommandLine;
using Microsoft.Extensions.Logging.Abstractions;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Node.Configuration;

namespace VrsMsrc.Node.Outbox;

/// <summary>vrs-node push, requeue and status.</summary>
internal static class OutboxCommands
{
    public static Command Push(Option<DirectoryInfo> dataDir)
    {
        var hub = new Option<string?>("--hub") { Description = "Hub address, or several of one hub separated by commas (default: HubUrl and HubUrls in node.json)" };
        var command = new Command("push", "Deliver the outbox to the hub now") { dataDir, hub };
        command.SetHandler(async (parse, ct) =>
        {
            var node = NodeContext.Open(parse.GetValue(dataDir)!, NullLogger.Instance);
            var result = await node.Publisher(maxRetries: 3, firstDelay: TimeSpan.FromSeconds(1), parse.GetValue(hub)).PublishAsync(ct);
            Console.WriteLine($"{result.Delivered} releases accepted, {result.Duplicates} already at the hub, {result.DeadLettered} refused, {result.StillPending} still pending.");
            if (result.DeadLettered > 0)
            {
                throw new CommandException("the hub refused some releases; see 'vrs-node status' for its reasons");
            }

            if (result.StillPending > 0)
            {
                throw new CommandException($"delivery stopped ({result.LastError}); the outbox keeps the releases, run 'vrs-node push' again or let 'serve' deliver them");
            }

            return 0;
        });
        return command;
    }

    public static Command Requeue(Option<DirectoryInfo> dataDir)
    {
        var ids = new Argument<string[]>("RELEASE_ID") { Description = "Refused releases to send again (default: all of them)", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("requeue", "Send releases the hub refused again, after the cause was fixed at the hub") { dataDir, ids };
        command.SetHandler((parse, _) =>
        {
            var node = NodeContext.Open(parse.GetValue(dataDir)!);
            IReadOnlyList<string> requeued;
            try
            {
                requeued = node.Outbox.Requeue(parse.GetValue(ids) ?? []);
            }
            catch (InvalidOperationException e)
            {
                throw new CommandException(e.Message);
            }

            Console.WriteLine(requeued.Count == 0
                ? "No refused releases."
                : $"{requeued.Count} refused releases back in the outbox: {string.Join(", ", requeued)}; 'vrs-node push' or 'serve' sends them.");
            return Task.FromResult(0);
        });
        return command;
    }

    public static Command Status(Option<DirectoryInfo> dataDir)
    {
        var command = new Command("status", "Records, months, last release and outbox of this node") { dataDir };
        command.SetHandler((parse, _) =>
        {
            var node = NodeContext.Open(parse.GetValue(dataDir)!);
            var status = NodeStatus.Read(node);
            foreach (var (label, value) in status)
            {
                Console.WriteLine($"{label + ":",-22} {value}");
            }

            return Task.FromResult(0);
        });
        return command;
    }
}
