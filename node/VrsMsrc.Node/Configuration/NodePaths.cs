using VrsMsrc.Contracts.Cli;

namespace VrsMsrc.Node.Configuration;

/// <summary>Where a node keeps its state inside its data directory.</summary>
internal sealed record NodePaths(string DataDir)
{
    public string Settings => Path.Combine(DataDir, "node.json");
    public string Database => Path.Combine(DataDir, "node.db");
    public string Key => Path.Combine(DataDir, "node.key");
    public string Csr => Path.Combine(DataDir, "node.csr");
    public string Certificate => Path.Combine(DataDir, "node.crt");
    public string CaCertificate => Path.Combine(DataDir, "ca.crt");

    public static NodePaths Existing(DirectoryInfo dataDir)
    {
        var paths = new NodePaths(dataDir.FullName);
        return File.Exists(paths.Settings)
            ? paths
            : throw new CommandException($"{dataDir.FullName} is not a node data directory (no node.json): run 'vrs-node init' first");
    }
}
