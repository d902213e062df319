using System.Text.Json;

namespace VrsMsrc.Hub.Configuration;

/// <summary>hub.json: what 'vrs-hub init' decided and 'serve' reads.</summary>
internal sealed record HubSettings
{
    /// <summary>Mutual-TLS listener for nodes.</summary>
    public string ExchangeUrl { get; init; } = "https://0.0.0.0:7443";

    /// <summary>
    /// HTTPS listener for analysts. Loopback by default: until analyst accounts exist, only someone on
    /// the hub's own machine may query it.
    /// </summary>
    public string AnalystUrl { get; init; } = "https://127.0.0.1:7444";

    /// <summary>Largest release payload accepted, in bytes.</summary>
    public long MaxReleaseBytes { get; init; } = 256L << 20;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static HubSettings Load(HubPaths paths) =>
        JsonSerializer.Deserialize<HubSettings>(File.ReadAllText(paths.Settings), Json)
        ?? throw new InvalidDataException($"{paths.Settings} is empty");

    public void Save(HubPaths paths) => File.WriteAllText(paths.Settings, JsonSerializer.Serialize(this, Json));
}
