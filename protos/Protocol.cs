namespace VrsMsrc.Contracts;

/// <summary>Versions node and hub compare in Hello.</summary>
public static class Protocol
{
    /// <summary>Version of the release payload and the catalogue; a hub refuses nodes of another.</summary>
    public const int SchemaVersion = 1;

    /// <summary>Each Push message stays well under gRPC's 4 MB default.</summary>
    public const int ChunkBytes = 1 << 20;

    public static string SoftwareVersion { get; } =
        typeof(Protocol).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
