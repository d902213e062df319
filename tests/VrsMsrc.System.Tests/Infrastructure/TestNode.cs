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

    /// <summary>
    /// Imports and releases some records, then rewrites the queued release so that it claims to come
    /// from <paramref name="claimedState"/>, as a tampered node would.
    /// </summary>
    public void QueueReleaseClaimingToBe(string claimedState)
    {
        var file = WriteFile("incidents.csv", SyntheticIncidents.Csv(Context.Settings.State, 300, 6));
        Context.Importer().ImportFile(file, "incidents", null);
        var forged = Context.Releases().Release()!.Release.Clone();
        forged.State = claimedState;
        var payload = Google.Protobuf.MessageExtensions.ToByteArray(forged);
        using var connection = Context.Database.Open();
        Dapper.SqlMapper.Execute(connection, "UPDATE outbox_payloads SET payload = @payload", new { payload });
        Dapper.SqlMapper.Execute(connection, "UPDATE outbox SET sha256 = @sha",
            new { payload, sha = Convert.ToHexStringLower(global::System.Security.Cryptography.SHA256.HashData(payload)) });
    }

    /// <summary>Imports synthetic incidents of this node's state, releases and pushes: the round trip most tests start from.</summary>
    public async Task<(Node.Ingest.ImportSummary Import, Node.Release.BuiltRelease? Release, PublishResult Push)> ImportReleasePushAsync(int rows, int seed)
    {
        var file = WriteFile($"incidents-{seed}.csv", SyntheticIncidents.Csv(Context.Settings.State, rows, seed));
        var summary = Context.Importer().ImportFile(file, "incidents", null);
        var built = Context.Releases().Release();
        return (summary, built, await PushAsync());
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
