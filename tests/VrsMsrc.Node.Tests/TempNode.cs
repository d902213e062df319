using VrsMsrc.Node.Configuration;
using VrsMsrc.Node.Setup;

namespace VrsMsrc.Node.Tests;

/// <summary>A node data directory made by the node's own init code, removed after the test.</summary>
internal sealed class TempNode : IDisposable
{
    public TempNode(string state = "ITA", TimeProvider? time = null)
    {
        var dir = Directory.CreateTempSubdirectory("vrs-node-test-");
        Context = new NodeContext(NodeSetup.Init(dir, state, null, 10), time ?? TimeProvider.System);
    }

    public NodeContext Context { get; }

    public string Write(string name, string content)
    {
        var path = Path.Combine(Context.Paths.DataDir, name);
        File.WriteAllText(path, content);
        return path;
    }

    public Ingest.ImportSummary Import(string name, string content, string kind = "incidents") =>
        Context.Importer().ImportFile(Write(name, content), kind, null);

    public void Dispose() => Directory.Delete(Context.Paths.DataDir, recursive: true);
}
