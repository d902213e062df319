using System.Security.Cryptography.X509Certificates;
using VrsMsrc.Contracts.Identity;
using VrsMsrc.Contracts.Security;
using VrsMsrc.Hub.Nodes;

namespace VrsMsrc.Hub.Exchange;

/// <summary>
/// Decides, during the TLS handshake, whether a client certificate belongs to an enrolled node
/// (DESIGN §5). The registry is read on every handshake, so revoking or disabling takes effect on the
/// next connection without a restart.
/// </summary>
internal sealed class NodeCertificateValidator(X509Certificate2 ca, INodeRegistry registry, TimeProvider time)
{
    /// <summary><see cref="Check"/>, with a malformed certificate or a storage failure as a refusal.</summary>
    public (string? State, string? Refusal) Decide(X509Certificate2? certificate)
    {
        try
        {
            return Check(certificate);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or System.Formats.Asn1.AsnContentException or System.Data.Common.DbException)
        {
            // A malformed certificate or a storage failure refuses the handshake; it must not kill the listener.
            return (null, $"could not be checked: {e.Message}");
        }
    }

    private (string? State, string? Refusal) Check(X509Certificate2? certificate)
    {
        if (certificate is null)
        {
            return (null, "no client certificate");
        }

        if (RegionalTrust.ChainError(certificate, ca, time.GetUtcNow(), RegionalTrust.ClientAuth) is { } chainError)
        {
            return (null, chainError);
        }

        if (certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority))
        {
            return (null, "a CA certificate cannot act as a node");
        }

        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().SelectMany(e => e.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>());
        if (!usages.Any(u => u.Value == RegionalTrust.ClientAuth.Value))
        {
            return (null, "certificate lacks the client-authentication usage");
        }

        var uris = CertificateNames.UriSans(certificate);
        if (uris.Count != 1 || !NodeUri.TryParse(uris[0], out var state))
        {
            return (null, $"certificate must carry exactly one URI SAN {NodeUri.Prefix}<ISO3>, found {uris.Count}");
        }

        var refusal = Registered(certificate, state);
        return (refusal is null ? state : null, refusal);
    }

    /// <summary>
    /// For each call on a connection whose handshake accepted <paramref name="certificate"/> for <paramref name="state"/>:
    /// what can change while the connection stays open (its validity period, the registry), so that revoking
    /// or disabling acts on open connections too; the chain and the certificate's own fields cannot.
    /// Null, or why the call is refused.
    /// </summary>
    public string? Recheck(X509Certificate2 certificate, string state)
    {
        var now = time.GetUtcNow();
        return now < certificate.NotBefore || now > certificate.NotAfter
            ? $"certificate serial {certificate.SerialNumber} of {state} is outside its validity period"
            : Registered(certificate, state);
    }

    private string? Registered(X509Certificate2 certificate, string state)
    {
        var status = registry.Find(certificate.SerialNumber);
        if (status is null || status.State != state)
        {
            return $"certificate serial {certificate.SerialNumber} was not issued to {state} by this hub";
        }

        if (status.Revoked)
        {
            return $"certificate serial {certificate.SerialNumber} of {state} is revoked";
        }

        return status.NodeEnabled ? null : $"node {state} is disabled";
    }
}
