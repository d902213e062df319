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

    /// <summary>Accounts, lockout, the sharing rule and certificate warnings.</summary>
    public SecuritySettings Security { get; init; } = new();

    /// <summary>Which database holds the hub's state.</summary>
    public StorageSettings Storage { get; init; } = new();

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static HubSettings Load(HubPaths paths) =>
        JsonSerializer.Deserialize<HubSettings>(File.ReadAllText(paths.Settings), Json)
        ?? throw new InvalidDataException($"{paths.Settings} is empty");

    public void Save(HubPaths paths) => File.WriteAllText(paths.Settings, JsonSerializer.Serialize(this, Json));
}

/// <summary>The "Security" section of hub.json.</summary>
internal sealed record SecuritySettings
{
    /// <summary>A state analyst sees other states' data while the state released within this many months.</summary>
    public int SharingWindowMonths { get; init; } = 12;

    /// <summary>Wrong passwords in a row that lock an account.</summary>
    public int LockoutFailures { get; init; } = 5;

    /// <summary>How long a locked account stays locked (an operator may lift it with 'user enable').</summary>
    public TimeSpan LockoutDuration { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Lifetime of a session token obtained by a login.</summary>
    public TimeSpan SessionLifetime { get; init; } = TimeSpan.FromHours(8);

    /// <summary>Certificates expiring sooner than this are flagged by 'nodes' and 'status'.</summary>
    public int CertificateWarningDays { get; init; } = 30;
}
