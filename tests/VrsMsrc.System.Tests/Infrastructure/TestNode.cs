using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using VrsMsrc.Node.Configuration;
using VrsMsrc.Node.Outbox;
using VrsMsrc.Node.Setup;

namespace VrsMsrc.System.Tests.Infrastructure;

/// <summary>A node data directory set up by the node's own init and enrol code, enrolled at a test hub.</summary>
internal sealed class TestNode : IDisposable
{
    private TestNode(NodeContext context) => Context = context;

    public NodeContext Context { get; }
    public NodePaths Paths => Context.Paths;

    /// <summary>A node of <paramref name="hub"/>, dialling it at <paramref name="hubUrl"/> (default: directly), on <paramref name="time"/>.</summary>
    public static TestNode Enrolled(IHubUnderTest hub, string state, int threshold = 10, string? hubUrl = null, TimeProvider? time = null, ILogger? log = null)
    {
        var dir = Directory.CreateTempSubdirectory($"vrs-node-{state}-");
        var paths = NodeSetup.Init(dir, state, hubUrl ?? hub.ExchangeUrl, threshold);
        var cert = hub.SignAndRegister(paths.Csr, state);
        NodeSetup.Enrol(paths, new FileInfo(cert), new FileInfo(hub.Paths.CaCertificate));
        return new TestNode(new NodeContext(paths, time ?? TimeProvider.System, log ?? NullLogger.Instance));
    }

    public string WriteFile(string name, string content)
    {
        var path = Path.Combine(Paths.DataDir, name);
        File.WriteAllText(path, content);
        return path;
    }

    public Task<PublishResult> PushAsync() =>
        Context.Publisher(maxRetries: 1, firstDelay: TimeSpan.FromMilliseconds(50)).PublishAsync(CancellationToken.None);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Paths.DataDir, recursive: true);
        }
        catch (IOException)
        {
            // See TestHub.DisposeAsync.
        }
    }
}
