using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using VrsMsrc.Contracts.Security;

namespace VrsMsrc.Hub.Security;

/// <summary>
/// A channel to a hub's analyst listener carrying a bearer token, for 'vrs-hub query --url' and for
/// scripts and tests. The hub is trusted through the regional CA when one is given, else the system store.
/// </summary>
internal static class AnalystClient
{
    public static GrpcChannel Open(string url, string? token, X509Certificate2? ca)
    {
        var sockets = new SocketsHttpHandler();
        if (ca is not null)
        {
            sockets.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    certificate is X509Certificate2 hub
                    && (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) == 0
                    && RegionalTrust.ChainError(hub, ca, DateTimeOffset.UtcNow, RegionalTrust.ServerAuth) is null,
            };
        }

        HttpMessageHandler handler = token is null ? sockets : new BearerToken(token) { InnerHandler = sockets };
        return GrpcChannel.ForAddress(url, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }

    private sealed class BearerToken(string token) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
