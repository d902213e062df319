namespace VrsMsrc.Hub.Configuration;

/// <summary>Where a hub keeps its state inside its data directory.</summary>
internal sealed record HubPaths(string DataDir)
{
    public string Settings => Path.Combine(DataDir, "hub.json");
    public string Database => Path.Combine(DataDir, "hub.db");
    public string PkiDir => Path.Combine(DataDir, "pki");
    public string CaCertificate => Path.Combine(PkiDir, "ca.crt");
    public string CaKey => Path.Combine(PkiDir, "ca.key");
    public string HubCertificate => Path.Combine(PkiDir, "hub.crt");
    public string HubKey => Path.Combine(PkiDir, "hub.key");
    public string IssuedDir => Path.Combine(PkiDir, "issued");

    public static HubPaths Existing(DirectoryInfo dataDir)
    {
        var paths = new HubPaths(dataDir.FullName);
        if (!File.Exists(paths.Settings))
        {
            throw new Contracts.Cli.CommandException($"{dataDir.FullName} is not a hub data directory (no hub.json): run 'vrs-hub init' first");
        }

        return paths;
    }
}
