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
    /// Further addresses of the same hub (several hub processes on one PostgreSQL database): the publisher
    /// dials them in turn after <see cref="HubUrl"/>, moving to the next whenever one fails.
    /// </summary>
    public IReadOnlyList<string> HubUrls { get; init; } = [];

    /// <summary>
    /// Protection parameters. They stay on the node: knowing them and a cell key would let anyone
    /// undo the noise.
    /// </summary>
    public ProtectionParameters Protection { get; init; } = new();

    /// <summary>How often 'serve' tries to deliver the outbox.</summary>
    public TimeSpan PublishInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Where 'serve' listens for case-management systems. Loopback by default; any other address needs
    /// HTTPS with <see cref="IngestCertificate"/> and <see cref="IngestKey"/>, because API keys and
    /// records would otherwise cross the network in clear.
    /// </summary>
    public string IngestUrl { get; init; } = "http://127.0.0.1:7480";

    /// <summary>PEM certificate and key for an HTTPS ingest listener.</summary>
    public string? IngestCertificate { get; init; }

    public string? IngestKey { get; init; }

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

        if (settings.IngestProblem() is { } ingest)
        {
            throw new CommandException($"{paths.Settings}: {ingest}");
        }

        if (settings.Delivery.Problem() is { } deliveryProblem)
        {
            throw new CommandException($"{paths.Settings}: Delivery: {deliveryProblem}");
        }

        return settings;
    }

    public string? IngestProblem()
    {
        if (!Uri.TryCreate(IngestUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/")
        {
            return $"IngestUrl '{IngestUrl}' must look like http://127.0.0.1:7480";
        }

        if (uri.Scheme == "https" && (IngestCertificate is null || IngestKey is null))
        {
            return "IngestUrl is https: set IngestCertificate and IngestKey (PEM files)";
        }

        return uri.Scheme == "http" && !uri.IsLoopback
            ? $"IngestUrl '{IngestUrl}' is not on loopback: use https with IngestCertificate and IngestKey"
            : null;
    }

    public void Save(NodePaths paths) => File.WriteAllText(paths.Settings, JsonSerializer.Serialize(this, Json));
}
