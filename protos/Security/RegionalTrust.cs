using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace VrsMsrc.Contracts.Security;

/// <summary>
/// Chains a peer certificate to the regional CA only: the system store is never consulted, so a
/// certificate from any public or foreign CA fails even with a matching subject.
/// </summary>
public static class RegionalTrust
{
    public static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");
    public static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");

    /// <summary>Null when the certificate chains to <paramref name="ca"/> at <paramref name="now"/>, else the reason.</summary>
    public static string? ChainError(X509Certificate2 certificate, X509Certificate2 ca, DateTimeOffset now, Oid purpose)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // revocation is the hub registry's job
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.ApplicationPolicy.Add(purpose);
        if (chain.Build(certificate))
        {
            return null;
        }

        var status = chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0);
        return "certificate does not chain to the regional CA: " + string.Join("; ", status);
    }

    public static X509Certificate2 LoadCertificate(string pemPath) => X509CertificateLoader.LoadCertificateFromFile(pemPath);

    /// <summary>
    /// Certificate with its private key, re-imported through PKCS#12 because SslStream on Linux needs a
    /// key that is not ephemeral to present a client or server certificate.
    /// </summary>
    public static X509Certificate2 LoadWithKey(string certPemPath, string keyPemPath)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certPemPath, keyPemPath);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    public static void WritePrivateKey(string path, AsymmetricAlgorithm key)
    {
        var pem = key switch
        {
            ECDsa ec => ec.ExportPkcs8PrivateKeyPem(),
            RSA rsa => rsa.ExportPkcs8PrivateKeyPem(),
            _ => throw new ArgumentException("unsupported key type", nameof(key)),
        };
        File.WriteAllText(path, pem);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
