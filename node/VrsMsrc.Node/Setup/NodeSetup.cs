using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Contracts.CodeLists;
using VrsMsrc.Contracts.Identity;
using VrsMsrc.Contracts.Security;
using VrsMsrc.Node.Configuration;
using VrsMsrc.Node.Protection;
using VrsMsrc.Node.Storage;

namespace VrsMsrc.Node.Setup;

/// <summary>
/// A node's identity: its own key pair (the private key never leaves the data directory), a CSR for
/// the hub operator, and the certificate that comes back, checked before it is installed.
/// </summary>
internal static class NodeSetup
{
    public static NodePaths Init(DirectoryInfo dir, string state, string? hubUrl, int threshold, string? ingestUrl = null)
    {
        var iso3 = state.ToUpperInvariant();
        if (!Codes.IsCountry(iso3))
        {
            throw new CommandException($"--state '{state}' is not an ISO 3166-1 alpha-3 country code");
        }

        var paths = new NodePaths(dir.FullName);
        if (File.Exists(paths.Settings))
        {
            throw new CommandException($"{dir.FullName} already holds a node (node.json exists)");
        }

        var settings = new NodeSettings { State = iso3, HubUrl = hubUrl, Protection = new ProtectionParameters { Threshold = threshold } };
        settings = ingestUrl is null ? settings : settings with { IngestUrl = ingestUrl };
        if (settings.Protection.Problem() is { } problem)
        {
            throw new CommandException($"--threshold: {problem}");
        }

        if (settings.IngestProblem() is { } ingest)
        {
            throw new CommandException($"--ingest-url: {ingest}");
        }

        Directory.CreateDirectory(dir.FullName);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        RegionalTrust.WritePrivateKey(paths.Key, key);
        var request = new CertificateRequest($"CN=vrs-node {iso3}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri(NodeUri.For(iso3)));
        request.CertificateExtensions.Add(san.Build());
        File.WriteAllText(paths.Csr, request.CreateSigningRequestPem());
        settings.Save(paths);
        new NodeDatabase(paths.Database).Migrate();
        return paths;
    }

    /// <summary>Installs the signed certificate and the CA after checking both; returns the expiry.</summary>
    public static DateTime Enrol(NodePaths paths, FileInfo certFile, FileInfo caFile)
    {
        var settings = NodeSettings.Load(paths);
        using var caCert = RegionalTrust.LoadCertificate(caFile.FullName);
        using var nodeCert = RegionalTrust.LoadCertificate(certFile.FullName);
        if (RegionalTrust.ChainError(nodeCert, caCert, DateTimeOffset.UtcNow, RegionalTrust.ClientAuth) is { } error)
        {
            throw new CommandException($"{certFile.Name}: {error}");
        }

        var uris = CertificateNames.UriSans(nodeCert);
        if (uris.Count != 1 || uris[0] != NodeUri.For(settings.State))
        {
            throw new CommandException($"{certFile.Name} is not for {settings.State} (it names {string.Join(", ", uris)})");
        }

        using var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(paths.Key));
        using var publicKey = nodeCert.GetECDsaPublicKey();
        if (publicKey is null || !publicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
        {
            throw new CommandException($"{certFile.Name} was not made from this node's CSR: its public key differs");
        }

        File.Copy(certFile.FullName, paths.Certificate, overwrite: true);
        File.Copy(caFile.FullName, paths.CaCertificate, overwrite: true);
        return nodeCert.NotAfter.ToUniversalTime();
    }
}
