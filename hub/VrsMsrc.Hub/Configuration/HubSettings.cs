using VrsMsrc.Contracts.Operations;

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

    /// <summary>Logging of 'serve'.</summary>
    public OperationsSettings Operations { get; init; } = new();

    /// <summary>Which database holds the hub's state.</summary>
    public StorageSettings Storage { get; init; } = new();

    /// <summary>When 'freshness' calls a state late.</summary>
    public FreshnessSettings Freshness { get; init; } = new();

    /// <summary>How long the hub keeps its audit entries.</summary>
    public HubRetention Retention { get; init; } = new();

    /// <summary>
    /// Every check of a loaded hub.json (with its environment overrides). A new section adds its own
    /// rules to this list (see <see cref="SettingRule{T}"/>), and 'config check' reports them all at once.
    /// </summary>
    public static readonly IReadOnlyList<SettingRule<HubSettings>> Rules =
    [
        new("ExchangeUrl", s => ListenerProblem(s.ExchangeUrl, "https://0.0.0.0:7443")),
        new("AnalystUrl", s => ListenerProblem(s.AnalystUrl, "https://127.0.0.1:7444")),
        new("MaxReleaseBytes", s => s.MaxReleaseBytes is < 1024 or > int.MaxValue ? $"{s.MaxReleaseBytes} must be between 1024 and {int.MaxValue}" : null),
        new("Security:SharingWindowMonths", s => s.Security.SharingWindowMonths is < 1 or > 120 ? "must be between 1 and 120" : null),
        new("Security:LockoutFailures", s => s.Security.LockoutFailures < 1 ? "must be at least 1" : null),
        new("Security:LockoutDuration", s => s.Security.LockoutDuration <= TimeSpan.Zero ? "must be longer than zero" : null),
        new("Security:SessionLifetime", s => s.Security.SessionLifetime <= TimeSpan.Zero ? "must be longer than zero" : null),
        new("Security:CertificateWarningDays", s => s.Security.CertificateWarningDays < 0 ? "may not be negative" : null),
        .. OperationsSettings.Rules<HubSettings>(s => s.Operations),
        new("Freshness:LateAfterMonths", s => s.Freshness.LateAfterMonths < 1 ? "must be at least 1" : null),
        new("Storage:Provider", s => s.Storage.ProviderProblem()),
        new("Storage:ConnectionString", s => s.Storage.ConnectionStringProblem()),
        new("Storage:ConcurrentApplies", s => s.Storage.ConcurrentAppliesProblem()),
        new("Retention:AuditDays", s => s.Retention.AuditDays is < 0 or (> 0 and < 30) ? "must be 0 (keep for ever) or at least 30" : null),
    ];

    /// <summary>hub.json with the environment's VRS_ overrides, checked: a wrong setting stops the command with every problem listed.</summary>
    public static HubSettings Load(HubPaths paths) => SettingsLoader.Load(paths.Settings, Rules);

    public void Save(HubPaths paths) => SettingsLoader.Save(this, paths.Settings);

    /// <summary>Kestrel binds an IP address and a port: a listener URL must give both, over https.</summary>
    private static string? ListenerProblem(string url, string example) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == "https" && uri.AbsolutePath == "/"
        && (uri.Host == "localhost" || System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out _))
            ? null
            : $"'{url}' must be https with an IP address (or localhost) and a port, like {example}";
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

/// <summary>The "Freshness" section of hub.json.</summary>
internal sealed record FreshnessSettings
{
    /// <summary>A state whose newest month is more than this many months before the current one is late.</summary>
    public int LateAfterMonths { get; init; } = 2;
}

/// <summary>The "Retention" section of hub.json.</summary>
internal sealed record HubRetention
{
    /// <summary>Days an audit entry is kept; 0 (the default) keeps the whole log. See AuditRetention for what is never deleted.</summary>
    public int AuditDays { get; init; }
}
