using VrsMsrc.Contracts.Security;
using VrsMsrc.Hub.Configuration;

namespace VrsMsrc.Hub.Exchange;

internal static class ExchangeServices
{
    /// <summary>Kestrel reports a connection that never completed its TLS handshake only at Debug level.</summary>
    private const string TlsHandshakes = "Microsoft.AspNetCore.Server.Kestrel.Https.Internal.HttpsConnectionMiddleware";

    public static IServiceCollection AddHubExchange(this IServiceCollection services, HubPaths paths) => services
        .AddSingleton(sp => ActivatorUtilities.CreateInstance<NodeCertificateValidator>(sp, RegionalTrust.LoadCertificate(paths.CaCertificate)))
        // Garbage on the port, a node with a broken TLS stack or a certificate we refuse: the operator
        // should see each failed handshake ("Failed to authenticate HTTPS connection" and why).
        .AddLogging(logging => logging.AddFilter(TlsHandshakes, LogLevel.Debug));
}
