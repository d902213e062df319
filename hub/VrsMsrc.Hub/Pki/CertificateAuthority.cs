using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using VrsMsrc.Contracts.Identity;
using VrsMsrc.Contracts.Security;

namespace VrsMsrc.Hub.Pki;

/// <summary>A node certificate just signed, with what the registry records of it.</summary>
internal sealed record IssuedCertificate(string State, string SerialHex, string Thumbprint, DateTimeOffset NotBefore, DateTimeOffset NotAfter, string Pem);

/// <summary>
/// The regional CA, made with .NET's CertificateRequest so no openssl is needed. Node keys never come
/// here: nodes send a CSR and get back a certificate whose only identity is the node URI SAN.
/// </summary>
internal sealed class CertificateAuthority(X509Certificate2 ca, TimeProvider time)
{
    public X509Certificate2 Certificate => ca;

    public static CertificateAuthority Create(string name, TimeProvider time, int years = 10)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={name}, O=VrsMsrc regional CA"), key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = time.GetUtcNow();
        return new CertificateAuthority(request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(years)), time);
    }

    public static CertificateAuthority Load(string certPath, string keyPath, TimeProvider time) =>
        new(RegionalTrust.LoadWithKey(certPath, keyPath), time);

    public void Save(string certPath, string keyPath)
    {
        File.WriteAllText(certPath, ca.ExportCertificatePem());
        using var key = ca.GetECDsaPrivateKey() ?? throw new InvalidOperationException("CA certificate has no private key");
        RegionalTrust.WritePrivateKey(keyPath, key);
    }

    /// <summary>The hub's TLS server certificate, valid for the given host names and addresses.</summary>
    public X509Certificate2 IssueServer(IEnumerable<string> hostnames, int days = 825)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=vrs-hub", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var host in hostnames)
        {
            if (IPAddress.TryParse(host, out var ip))
            {
                san.AddIpAddress(ip);
            }
            else
            {
                san.AddDnsName(host);
            }
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([RegionalTrust.ServerAuth], false));
        return Issue(request, days).CopyWithPrivateKey(key);
    }

    /// <summary>
    /// Signs a node's CSR. Nothing of the CSR but its public key is trusted: subject, SAN and usages are
    /// set here, so a node cannot ask for a CA bit or another state's name.
    /// </summary>
    public IssuedCertificate SignNode(string csrPem, string state, int days = 825)
    {
        CertificateRequest csr;
        try
        {
            csr = CertificateRequest.LoadSigningRequestPem(csrPem, HashAlgorithmName.SHA256);
        }
        catch (CryptographicException e)
        {
            throw new Contracts.Cli.CommandException($"not a valid certificate signing request: {e.Message}");
        }

        var request = new CertificateRequest(new X500DistinguishedName($"CN=vrs-node {state}"), csr.PublicKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri(NodeUri.For(state)));
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([RegionalTrust.ClientAuth], false));
        using var cert = Issue(request, days);
        return new IssuedCertificate(state, cert.SerialNumber, cert.Thumbprint,
            cert.NotBefore.ToUniversalTime(), cert.NotAfter.ToUniversalTime(), cert.ExportCertificatePem());
    }

    private X509Certificate2 Issue(CertificateRequest request, int days)
    {
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7F; // a positive serial number, as RFC 5280 asks
        var now = time.GetUtcNow();
        var notAfter = now.AddDays(days) < ca.NotAfter ? now.AddDays(days) : new DateTimeOffset(ca.NotAfter.ToUniversalTime());
        return request.Create(ca, now.AddMinutes(-5), notAfter, serial);
    }
}
