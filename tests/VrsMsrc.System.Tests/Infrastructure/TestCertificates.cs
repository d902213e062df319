using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using VrsMsrc.Contracts.Identity;
using VrsMsrc.Contracts.Security;
using VrsMsrc.Hub.Nodes;
using VrsMsrc.Hub.Pki;

namespace VrsMsrc.System.Tests.Infrastructure;

/// <summary>
/// Client certificates of every wrong shape, made in the test with CertificateRequest (never committed),
/// and a channel to the exchange listener that presents one.
/// </summary>
internal static class TestCertificates
{
    public static readonly Oid ClientAuth = RegionalTrust.ClientAuth;
    public static readonly Oid ServerAuth = RegionalTrust.ServerAuth;

    /// <summary>
    /// A node-shaped certificate: subject "CN=vrs-node ITA", the given URI SANs and usages, dates and CA
    /// flag; signed by <paramref name="issuer"/> (with its key) or self-signed when null.
    /// </summary>
    public static X509Certificate2 Make(
        X509Certificate2? issuer,
        string[] uris,
        Oid[] usages,
        DateTimeOffset? notBefore = null,
        DateTimeOffset? notAfter = null,
        bool certificateAuthority = false,
        string subject = "CN=vrs-node ITA")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var uri in uris)
        {
            san.AddUri(new Uri(uri));
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([.. usages], false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            certificateAuthority ? X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.DigitalSignature : X509KeyUsageFlags.DigitalSignature, true));
        var from = notBefore ?? DateTimeOffset.UtcNow.AddMinutes(-5);
        var until = notAfter ?? DateTimeOffset.UtcNow.AddDays(30);
        X509Certificate2 certificate;
        if (issuer is null)
        {
            certificate = request.CreateSelfSigned(from, until);
        }
        else
        {
            var serial = RandomNumberGenerator.GetBytes(16);
            serial[0] &= 0x7F;
            using var signed = request.Create(issuer, from, until, serial);
            certificate = signed.CopyWithPrivateKey(key);
        }

        // SslStream on Linux presents only keys that are not ephemeral: round-trip through PKCS#12.
        using (certificate)
        {
            return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
        }
    }

    /// <summary>Records the certificate as issued to the state, so that the registry is not why it is refused.</summary>
    public static void Register(TestHub hub, X509Certificate2 certificate, string state)
    {
        hub.Services.GetRequiredService<INodeRegistry>().Register(new IssuedCertificate(state, certificate.SerialNumber, certificate.Thumbprint,
            certificate.NotBefore.ToUniversalTime(), certificate.NotAfter.ToUniversalTime(), certificate.ExportCertificatePem()));
    }

    public static string NodeUriFor(string state) => NodeUri.For(state);

    /// <summary>A channel to the exchange listener presenting <paramref name="client"/> (or nothing), trusting the hub by the regional CA.</summary>
    public static GrpcChannel ExchangeChannel(TestHub hub, X509Certificate2? client, SslProtocols protocols = SslProtocols.Tls12 | SslProtocols.Tls13)
    {
        var ca = hub.CaCertificate;
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = client is null ? null : [client],
                EnabledSslProtocols = protocols,
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is X509Certificate2 c && RegionalTrust.ChainError(c, ca, DateTimeOffset.UtcNow, RegionalTrust.ServerAuth) is null,
            },
        };
        return GrpcChannel.ForAddress(hub.ExchangeUrl, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }
}
