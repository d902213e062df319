using VrsMsrc.Contracts.CodeLists;
using VrsMsrc.Contracts.Operations;
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

    /// <summary>Logging of 'serve'.</summary>
    public OperationsSettings Operations { get; init; } = new();

    /// <summary>How long the node keeps what it needs only for a while.</summary>
    public NodeRetention Retention { get; init; } = new();

    /// <summary>
    /// Every check of a loaded node.json (with its environment overrides); a new section adds its own
    /// rules here, and 'config check' reports them all at once.
    /// </summary>
    public static readonly IReadOnlyList<SettingRule<NodeSettings>> Rules =
    [
        new("State", s => Codes.IsCountry(s.State) && s.State.All(char.IsAsciiLetterUpper) ? null : $"'{s.State}' is not an ISO 3166-1 alpha-3 code in capitals"),
        new("HubUrl", s => s.HubUrl is null || IsHttps(s.HubUrl) ? null : $"'{s.HubUrl}' must be the hub's https address, like https://hub.example.org:7443"),
        new("HubUrls", s => s.HubUrls.FirstOrDefault(u => !IsHttps(u)) is { } wrong ? $"'{wrong}' must be an https address of the hub, like https://hub2.example.org:7443" : null),
        new("Protection", s => s.Protection.Problem()),
        new("PublishInterval", s => s.PublishInterval > TimeSpan.Zero ? null : "must be longer than zero"),
        new("IngestUrl", s => s.IngestProblem()),
        new("IngestCertificate", s => s.IngestCertificate is { } file && !File.Exists(file) ? $"'{file}' does not exist" : null),
        new("IngestKey", s => s.IngestKey is { } file && !File.Exists(file) ? $"'{file}' does not exist" : null),
        new("Delivery", s => s.Delivery.Problem()),
        .. OperationsSettings.Rules<NodeSettings>(s => s.Operations),
        new("Retention:RejectsDays", s => s.Retention.RejectsDays < 0 ? "must be 0 (keep for ever) or more" : null),
        new("Retention:TransparencyPayloadDays", s => s.Retention.TransparencyPayloadDays < 0 ? "must be 0 (keep for ever) or more" : null),
    ];

    /// <summary>node.json with the environment's VRS_ overrides, checked: a wrong setting stops the command with every problem listed.</summary>
    public static NodeSettings Load(NodePaths paths) => SettingsLoader.Load(paths.Settings, Rules);

    private static bool IsHttps(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == "https";

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

    public void Save(NodePaths paths) => SettingsLoader.Save(this, paths.Settings);
}

/// <summary>The "Retention" section of node.json.</summary>
internal sealed record NodeRetention
{
    /// <summary>
    /// Days a rejects report (rejects/*.rejects.csv and its summary) is kept; 0 keeps them for ever.
    /// They hold the rejected rows' values, raw data the node should not keep longer than needed.
    /// </summary>
    public int RejectsDays { get; init; } = 90;

    /// <summary>
    /// Days the payload of a delivered release is kept after the hub acknowledged it; 0 (the default) keeps
    /// every payload for ever. Only the bytes go: the hash stays, and pending, refused and the newest
    /// delivered release of each month are always kept (see TransparencyLog.PrunePayloads).
    /// </summary>
    public int TransparencyPayloadDays { get; init; }
}
