using System.Security.Cryptography.X509Certificates;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Contracts.Security;
using VrsMsrc.Hub.Configuration;
using VrsMsrc.Hub.Pki;
using VrsMsrc.Hub.Storage;

namespace VrsMsrc.Hub.Setup;

/// <summary>A new hub: regional CA, the hub's server certificate, settings and database.</summary>
internal static class HubSetup
{
    private static readonly string[] AlwaysNamed = ["localhost", "127.0.0.1"];

    public static HubPaths Init(DirectoryInfo dir, IEnumerable<string> hostnames, HubSettings settings, TimeProvider time)
    {
        var paths = new HubPaths(dir.FullName);
        if (File.Exists(paths.Settings))
        {
            throw new CommandException($"{dir.FullName} already holds a hub (hub.json exists); refusing to overwrite its CA");
        }

        Directory.CreateDirectory(paths.IssuedDir);
        var ca = CertificateAuthority.Create("VrsMsrc Regional CA", time);
        ca.Save(paths.CaCertificate, paths.CaKey);
        using var server = ca.IssueServer(AlwaysNamed.Concat(hostnames).Distinct());
        File.WriteAllText(paths.HubCertificate, server.ExportCertificatePem());
        using (var key = server.GetECDsaPrivateKey()!)
        {
            RegionalTrust.WritePrivateKey(paths.HubKey, key);
        }

        settings.Save(paths);
        HubStores.Open(paths, settings.Storage, time).Dispose();
        return paths;
    }
}
