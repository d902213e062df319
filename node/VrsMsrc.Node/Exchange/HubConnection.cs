using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Contracts.Security;
using VrsMsrc.Node.Configuration;

namespace VrsMsrc.Node.Exchange;

/// <summary>
/// A mutual-TLS channel to the hub: the node presents its certificate and accepts the hub only if its
/// certificate chains to the regional CA and names the host dialled. Certificates are read from disk
/// each time a channel is made, so a renewed certificate is used on the next connection.
/// </summary>
internal static class HubConnection
{
    /// <summary>
    /// Dials the hub's addresses in turn (--hub "A,B", or HubUrl then HubUrls of node.json): the publisher
    /// asks for a new channel at the start of a round and after each transient failure, so a hub process
    /// that is down costs one failed attempt, and the retry goes to the next address.
    /// </summary>
    public static Func<GrpcChannel> Dialler(NodePaths paths, NodeSettings settings, string? hubUrl = null)
    {
        string[] urls = hubUrl is not null
            ? hubUrl.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [.. new[] { settings.HubUrl }.OfType<string>(), .. settings.HubUrls];
        var next = -1;
        return () => urls.Length == 0
            ? throw new CommandException("no hub address: set HubUrl in node.json or pass --hub")
            : Open(paths, urls[(int)((uint)Interlocked.Increment(ref next) % (uint)urls.Length)]);
    }

    /// <summary>A channel to the first of the hub's addresses.</summary>
    public static GrpcChannel Open(NodePaths paths, NodeSettings settings, string? hubUrl = null) => Dialler(paths, settings, hubUrl)();

    public static GrpcChannel Open(NodePaths paths, string url)
    {
        if (!File.Exists(paths.Certificate) || !File.Exists(paths.CaCertificate))
        {
            throw new CommandException("the node has no certificate yet: send node.csr to the hub operator, then run 'vrs-node enrol --cert NODE.crt --ca CA.crt'");
        }

        var clientCertificate = RegionalTrust.LoadWithKey(paths.Certificate, paths.Key);
        var ca = RegionalTrust.LoadCertificate(paths.CaCertificate);
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [clientCertificate],
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    certificate is X509Certificate2 hub
                    && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0
                    && (errors & SslPolicyErrors.RemoteCertificateNotAvailable) == 0
                    && RegionalTrust.ChainError(hub, ca, DateTimeOffset.UtcNow, RegionalTrust.ServerAuth) is null,
            },
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = TimeSpan.FromSeconds(15),
            // A line that silently stops carrying packets would otherwise hold a push until its
            // deadline, which grows with the release's size; unanswered pings end it within a minute.
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        };
        return GrpcChannel.ForAddress(url, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxSendMessageSize = 4 << 20,
        });
    }
}
