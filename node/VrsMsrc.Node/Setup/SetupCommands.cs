using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Contracts.CodeLists;
using VrsMsrc.Contracts.Identity;
using VrsMsrc.Contracts.Security;
using VrsMsrc.Node.Configuration;
using VrsMsrc.Node.Storage;

namespace VrsMsrc.Node.Setup;

/// <summary>vrs-node init and enrol: identity, key pair, CSR, database; then installing the signed certificate.</summary>
internal static class SetupCommands
{
    public static Command Init(Option<DirectoryInfo> dataDir)
    {
        var state = new Option<string>("--state") { Description = "This node's state, ISO 3166-1 alpha-3", Required = true };
        var hub = new Option<string?>("--hub") { Description = "The hub's exchange address, e.g. https://hub.example:7443" };
        var threshold = new Option<int>("--threshold") { Description = "Cells below this are not published (at least 5)", DefaultValueFactory = _ => 10 };
        var command = new Command("init", "Create the node's configuration, database, key pair and certificate signing request") { dataDir, state, hub, threshold };
        command.SetHandler((parse, _) =>
        {
            var dir = parse.GetValue(dataDir)!;
            var iso3 = parse.GetValue(state)!.ToUpperInvariant();
            if (!Codes.IsCountry(iso3))
            {
                throw new CommandException($"--state '{iso3}' is not an ISO 3166-1 alpha-3 country code");
            }

            var paths = new NodePaths(dir.FullName);
            if (File.Exists(paths.Settings))
            {
                throw new CommandException($"{dir.FullName} already holds a node (node.json exists)");
            }

            var settings = new NodeSettings
            {
                State = iso3,
                HubUrl = parse.GetValue(hub),
                Protection = new Protection.ProtectionParameters { Threshold = parse.GetValue(threshold) },
            };
            if (settings.Protection.Problem() is { } problem)
            {
                throw new CommandException($"--threshold: {problem}");
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
            Console.WriteLine($"Node {iso3} initialised in {dir.FullName}");
            Console.WriteLine($"Send {paths.Csr} to the hub operator (the private key {paths.Key} never leaves this machine),");
            Console.WriteLine("then install what comes back with 'vrs-node enrol --cert NODE.crt --ca CA.crt'.");
            return Task.FromResult(0);
        });
        return command;
    }

    public static Command Enrol(Option<DirectoryInfo> dataDir)
    {
        var cert = new Option<FileInfo>("--cert") { Description = "The node certificate signed by the hub", Required = true };
        var ca = new Option<FileInfo>("--ca") { Description = "The regional CA certificate", Required = true };
        var command = new Command("enrol", "Install the certificate the hub operator signed, after checking it") { dataDir, cert, ca };
        command.SetHandler((parse, _) =>
        {
            var paths = NodePaths.Existing(parse.GetValue(dataDir)!);
            var settings = NodeSettings.Load(paths);
            var certFile = parse.GetValue(cert)!;
            var caFile = parse.GetValue(ca)!;
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
            Console.WriteLine($"Certificate installed for {settings.State}, valid until {nodeCert.NotAfter.ToUniversalTime():yyyy-MM-dd}.");
            return Task.FromResult(0);
        });
        return command;
    }
}
