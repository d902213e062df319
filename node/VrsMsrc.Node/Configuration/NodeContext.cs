using Microsoft.Extensions.Logging.Abstractions;
using VrsMsrc.Node.Exchange;
using VrsMsrc.Node.Ingest;
using VrsMsrc.Node.Outbox;
using VrsMsrc.Node.Protection;
using VrsMsrc.Node.Release;
using VrsMsrc.Node.Storage;
using VrsMsrc.Node.Transparency;

namespace VrsMsrc.Node.Configuration;

/// <summary>An opened node data directory and the parts of the node built on it.</summary>
internal sealed class NodeContext
{
    public NodeContext(NodePaths paths, TimeProvider time, ILogger? log = null)
    {
        Paths = paths;
        Time = time;
        Log = log ?? NullLogger.Instance;
        Settings = NodeSettings.Load(paths);
        Database = new NodeDatabase(paths.Database);
        Database.Migrate();
        Outbox = new OutboxStore(Database, time);
        TransparencyLog = new TransparencyLog(Database);
    }

    public NodePaths Paths { get; }
    public NodeSettings Settings { get; }
    public NodeDatabase Database { get; }
    public OutboxStore Outbox { get; }
    public TransparencyLog TransparencyLog { get; }
    public TimeProvider Time { get; }
    public ILogger Log { get; }

    public string RejectsDir => Path.Combine(Paths.DataDir, "rejects");

    public static NodeContext Open(DirectoryInfo dataDir, ILogger? log = null) => new(NodePaths.Existing(dataDir), TimeProvider.System, log);

    public Importer Importer() => new(Database, Time, RejectsDir);

    public ReleaseBuilder Releases() => new(Database, new PerturbationTable(Settings.Protection), Settings.State, Time);

    /// <param name="log">Where delivery is logged: 'serve' passes its service log, so deliveries reach the journal.</param>
    public Publisher Publisher(DeliveryPolicy policy, string? hubUrl = null, ILogger? log = null) => new(
        Database, Outbox, Settings.State, HubConnection.Dialler(Paths, Settings, hubUrl), policy, Time, log ?? Log);

    /// <summary>node.json's delivery policy with the retries of one command ('push' gives up sooner than 'serve').</summary>
    public Publisher Publisher(int maxRetries, TimeSpan firstDelay, string? hubUrl = null) =>
        Publisher(Settings.Delivery with { MaxRetries = maxRetries, FirstRetryDelay = firstDelay }, hubUrl);
}
