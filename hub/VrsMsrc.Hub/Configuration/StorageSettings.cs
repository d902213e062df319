namespace VrsMsrc.Hub.Configuration;

/// <summary>
/// The "Storage" section of hub.json: where the hub keeps cells, nodes, accounts, audit and alerts.
/// SQLite (hub.db in the data directory) is the embedded default; PostgreSQL lets several hub processes
/// serve one region (docs/postgres.md).
/// </summary>
internal sealed record StorageSettings
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary>"sqlite" or "postgres".</summary>
    public string Provider { get; init; } = Sqlite;

    /// <summary>
    /// Npgsql connection string for "postgres" (e.g. "Host=db;Database=vrs;Username=vrs_hub;Passfile=/etc/vrs/pgpass"):
    /// keep the password in a passfile, not in hub.json. Unused for "sqlite".
    /// </summary>
    public string? ConnectionString { get; init; }

    /// <summary>
    /// "postgres": how many releases this hub process applies at once (others wait their turn, without a
    /// timeout). A database server does most with a few writers per core; a hundred at once only queue
    /// inside it until statements time out.
    /// </summary>
    public int ConcurrentApplies { get; init; } = DefaultConcurrentApplies;

    public const int DefaultConcurrentApplies = 8;

    /// <summary>What is wrong with ConcurrentApplies, or null.</summary>
    public string? ConcurrentAppliesProblem() => ConcurrentApplies is >= 1 and <= 1000 ? null : $"{ConcurrentApplies} is outside 1..1000";

    /// <summary>What is wrong with Provider, or null.</summary>
    public string? ProviderProblem() => Provider is Sqlite or Postgres ? null : $"\"{Provider}\" is not known: use \"{Sqlite}\" or \"{Postgres}\"";

    /// <summary>What is wrong with ConnectionString, or null.</summary>
    public string? ConnectionStringProblem() =>
        Provider == Postgres && string.IsNullOrWhiteSpace(ConnectionString) ? $"is required when Storage:Provider is \"{Postgres}\"" : null;

    /// <summary>Throws with the reason when the section cannot work, so that 'init' and 'serve' fail before they start.</summary>
    public StorageSettings Validated() =>
        ProviderProblem() is { } provider ? throw new InvalidDataException($"hub.json Storage:Provider {provider}")
        : ConnectionStringProblem() is { } connection ? throw new InvalidDataException($"hub.json Storage:ConnectionString {connection}")
        : ConcurrentAppliesProblem() is { } applies ? throw new InvalidDataException($"hub.json Storage:ConcurrentApplies {applies}")
        : this;
}
