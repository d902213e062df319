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

    /// <summary>Throws with the reason when the section cannot work, so that 'init' and 'serve' fail before they start.</summary>
    public StorageSettings Validated()
    {
        return Provider switch
        {
            Sqlite => this,
            Postgres when string.IsNullOrWhiteSpace(ConnectionString) =>
                throw new InvalidDataException("hub.json Storage.ConnectionString is required when Storage.Provider is \"postgres\""),
            Postgres => this,
            _ => throw new InvalidDataException($"hub.json Storage.Provider \"{Provider}\" is not known: use \"{Sqlite}\" or \"{Postgres}\""),
        };
    }
}
