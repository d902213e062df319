using System.Security.Cryptography.X509Certificates;
using VrsMsrc.Contracts.Security;
using VrsMsrc.Hub.Configuration;

namespace VrsMsrc.Hub.Pki;

/// <summary>Writes a new hub certificate and key beside a running hub without it ever seeing half of them.</summary>
internal static class HubCertificateFiles
{
    /// <summary>
    /// New files are written aside and renamed into place, key first: the running hub reloads when the
    /// certificate file changes, and by then the matching key is already there.
    /// </summary>
    public static void Replace(HubPaths paths, X509Certificate2 server)
    {
        var keyAside = paths.HubKey + ".new";
        var certificateAside = paths.HubCertificate + ".new";
        using (var key = server.GetECDsaPrivateKey() ?? throw new InvalidOperationException("hub certificate has no private key"))
        {
            RegionalTrust.WritePrivateKey(keyAside, key);
        }

        File.WriteAllText(certificateAside, server.ExportCertificatePem());
        File.Move(keyAside, paths.HubKey, overwrite: true);
        File.Move(certificateAside, paths.HubCertificate, overwrite: true);
    }
}
