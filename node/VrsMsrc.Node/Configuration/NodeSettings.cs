using System.Text.Json;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Node.Outbox;
using VrsMsrc.Node.Protection;

namespace VrsMsrc.Node.Configuration;

/// <summary>node.json: the node's identity, its hub and its protection parameters.</summary>
internal sealed record NodeSettings
{
    public required string State { get; init; }

    public string? HubUrl { get; init; }

    /// <summary>
    /// Protection parameters. They stay on the node: knowing them and a cell key would let anyone
    /// undo the noise.
    /// </summary>
    public ProtectionParameters Protection { get; init; } = new();

    /// <summary>How often 'serve' tries to deliver the outbox.</summary>
    public TimeSpan PublishInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Retries, circuit breaker and deadlines of delivery to the hub.</summary>
    public DeliveryPolicy Delivery { get; init; } = new();

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static NodeSettings Load(NodePaths paths)
    {
        var settings = JsonSerializer.Deserialize<NodeSettings>(File.ReadAllText(paths.Settings), Json)
            ?? throw new InvalidDataException($"{paths.Settings} is empty");
        if (settings.Protection.Problem() is { } problem)
        {
            throw new CommandException($"{paths.Settings}: Protection: {problem}");
        }

        if (settings.Delivery.Problem() is { } deliveryProblem)
        {
            throw new CommandException($"{paths.Settings}: Delivery: {deliveryProblem}");
        }

        return settings;
    }

    public void Save(NodePaths paths) => File.WriteAllText(paths.Settings, JsonSerializer.Serialize(this, Json));
}
