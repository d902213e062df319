using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Contracts.CodeLists;
using VrsMsrc.Contracts.Security;
using VrsMsrc.Contracts.Transparency;
using VrsMsrc.Hub.Audit;
using VrsMsrc.Hub.Security;

namespace VrsMsrc.Hub.Pki;

/// <summary>vrs-hub pki sign | revoke | list | rotate | new-ca, and vrs-hub nodes [enable|disable].</summary>
internal static partial class PkiCommands
{
    public static Command Create(Option<DirectoryInfo> dataDir)
    {
        var pki = new Command("pki", "Regional CA: sign node certificates, list and revoke them, rotate the hub's certificate");
        pki.Subcommands.Add(Sign(dataDir));
        pki.Subcommands.Add(Revoke(dataDir));
        pki.Subcommands.Add(List(dataDir));
        pki.Subcommands.Add(Rotate(dataDir));
        pki.Subcommands.Add(NewCa(dataDir));
        return pki;
    }

    private static Command Sign(Option<DirectoryInfo> dataDir)
    {
        var csr = new Argument<FileInfo>("CSR") { Description = "The node's certificate signing request (PEM)" };
        var node = StateOption();
        var output = new Option<FileInfo?>("--out") { Description = "Where to write the certificate (default: pki/issued/<ISO3>.crt)" };
        var days = new Option<int>("--days") { Description = "Validity in days", DefaultValueFactory = _ => 825 };
        var command = new Command("sign", "Sign a node's CSR and enrol the node (also how a node's certificate is renewed)") { dataDir, csr, node, output, days };
        command.SetHandler((parse, _) =>
        {
            var admin = AdminContext.Open(parse.GetValue(dataDir)!);
            var state = State(parse.GetValue(node)!);
            var file = parse.GetValue(csr)!;
            if (!file.Exists)
            {
                throw new CommandException($"{file.FullName}: no such file");
            }

            if (parse.GetValue(days) is < 1 or > 3650)
            {
                throw new CommandException("--days must be between 1 and 3650");
            }

            var ca = CertificateAuthority.Load(admin.Paths.CaCertificate, admin.Paths.CaKey, admin.Time);
            var issued = ca.SignNode(File.ReadAllText(file.FullName), state, parse.GetValue(days));
            var target = parse.GetValue(output)?.FullName ?? Path.Combine(admin.Paths.IssuedDir, $"{state}.crt");
            File.WriteAllText(target, issued.Pem);
            admin.Registry.Register(issued);
            admin.Audit.Append(admin.Actor, "pki.sign", AuditOutcome.Ok, AuditChain.Detail(
                ("node", state), ("serial", issued.SerialHex), ("not_after", issued.NotAfter.ToString("O")), ("csr", file.FullName)));
            Console.WriteLine($"Signed certificate for {state} (serial {issued.SerialHex}, valid until {issued.NotAfter:yyyy-MM-dd}): {target}");
            Console.WriteLine($"Give the node this file and {admin.Paths.CaCertificate}; on the node run 'vrs-node enrol --cert {Path.GetFileName(target)} --ca ca.crt'.");
            return Task.FromResult(0);
        });
        return command;
    }

    private static Command Revoke(Option<DirectoryInfo> dataDir)
    {
        var node = new Option<string?>("--node") { Description = "Revoke every certificate of this state (ISO3)" };
        var serial = new Option<string?>("--serial") { Description = "Revoke only this certificate (hex serial, as 'pki list' shows)" };
        var reason = new Option<string>("--reason") { Description = "Why, for the registry and the audit log", DefaultValueFactory = _ => "revoked by the operator" };
        var command = new Command("revoke", "Revoke a node's certificates or one certificate; refused from the next connection on, without a restart")
        {
            dataDir, node, serial, reason,
        };
        command.SetHandler((parse, _) =>
        {
            var admin = AdminContext.Open(parse.GetValue(dataDir)!);
            var why = parse.GetValue(reason)!;
            switch (parse.GetValue(node), parse.GetValue(serial))
            {
                case ({ } n, null):
                    var state = State(n);
                    var serials = admin.Registry.Revoke(state, why);
                    if (serials.Count == 0)
                    {
                        throw new CommandException($"{state} has no certificate that is not already revoked");
                    }

                    admin.Audit.Append(admin.Actor, "pki.revoke", AuditOutcome.Ok, AuditChain.Detail(("node", state), ("serials", serials), ("reason", why)));
                    Console.WriteLine($"Revoked {serials.Count} certificate(s) of {state}: {string.Join(", ", serials)}.");
                    break;
                case (null, { } s):
                    if (!SerialPattern().IsMatch(s))
                    {
                        throw new CommandException($"--serial '{s}' is not a hexadecimal serial number");
                    }

                    var owner = admin.Registry.RevokeSerial(s, why)
                        ?? throw new CommandException($"no certificate with serial {s.ToUpperInvariant()} that is not already revoked");
                    admin.Audit.Append(admin.Actor, "pki.revoke", AuditOutcome.Ok, AuditChain.Detail(("node", owner), ("serials", new[] { s.ToUpperInvariant() }), ("reason", why)));
                    Console.WriteLine($"Revoked certificate {s.ToUpperInvariant()} of {owner}.");
                    break;
                default:
                    throw new CommandException("give either --node ISO3 or --serial HEX");
            }

            return Task.FromResult(0);
        });
        return command;
    }

    private static Command List(Option<DirectoryInfo> dataDir)
    {
        var node = new Option<string?>("--node") { Description = "Only this state's certificates" };
        var format = CommandLine.FormatOption("table", "csv", "json");
        var command = new Command("list", "Every certificate signed for nodes, with its status") { dataDir, node, format };
        command.SetHandler((parse, _) =>
        {
            var admin = AdminContext.Open(parse.GetValue(dataDir)!);
            var state = parse.GetValue(node) is { } n ? State(n) : null;
            var now = admin.Time.GetUtcNow();
            TabularOutput.Write(Console.Out, parse.GetValue(format)!, ["serial", "state", "not_before", "not_after", "status", "revocation_reason"],
                admin.Registry.Certificates(state).Select(c => new object?[]
                {
                    c.Serial, c.State, c.NotBefore[..10], c.NotAfter[..10],
                    CertificateStatus.Of(Parse(c.NotBefore), Parse(c.NotAfter), c.RevokedAt is not null, now, admin.Settings.Security.CertificateWarningDays),
                    c.RevocationReason,
                }));
            return Task.FromResult(0);
        });
        return command;
    }

    private static Command Rotate(Option<DirectoryInfo> dataDir)
    {
        var hostnames = new Option<string[]>("--hostname") { Description = "Names for the new certificate (default: those of the current one)" };
        var days = new Option<int>("--days") { Description = "Validity in days", DefaultValueFactory = _ => 825 };
        var command = new Command("rotate", "Replace the hub's TLS certificate; a running hub serves it from the next connection on") { dataDir, hostnames, days };
        command.SetHandler((parse, _) =>
        {
            var admin = AdminContext.Open(parse.GetValue(dataDir)!);
            using var current = RegionalTrust.LoadCertificate(admin.Paths.HubCertificate);
            var names = parse.GetValue(hostnames) is { Length: > 0 } given ? given.ToList() : HubCertificateNames(current);
            var ca = CertificateAuthority.Load(admin.Paths.CaCertificate, admin.Paths.CaKey, admin.Time);
            using var server = ca.IssueServer(names, parse.GetValue(days));
            HubCertificateFiles.Replace(admin.Paths, server);
            admin.Audit.Append(admin.Actor, "pki.rotate", AuditOutcome.Ok, AuditChain.Detail(
                ("old_serial", current.SerialNumber), ("serial", server.SerialNumber), ("names", names), ("not_after", server.NotAfter.ToUniversalTime().ToString("O"))));
            Console.WriteLine($"New hub certificate {server.SerialNumber} for {string.Join(", ", names)}, valid until {server.NotAfter:yyyy-MM-dd}.");
            Console.WriteLine("A running hub serves it from the next connection on; nodes need nothing (they trust the regional CA).");
            return Task.FromResult(0);
        });
        return command;
    }

    private static Command NewCa(Option<DirectoryInfo> dataDir)
    {
        var confirm = new Option<bool>("--revoke-all-nodes") { Description = "Required: every node certificate is revoked and every node must enrol again" };
        var command = new Command("new-ca", "Replace a lost or compromised regional CA: new CA, new hub certificate, all node certificates revoked")
        {
            dataDir, confirm,
        };
        command.SetHandler((parse, _) =>
        {
            if (!parse.GetValue(confirm))
            {
                throw new CommandException("this revokes every node certificate; run again with --revoke-all-nodes if that is what you want");
            }

            var admin = AdminContext.Open(parse.GetValue(dataDir)!);
            using var oldCa = RegionalTrust.LoadCertificate(admin.Paths.CaCertificate);
            using var oldHub = RegionalTrust.LoadCertificate(admin.Paths.HubCertificate);
            var retired = Path.Combine(admin.Paths.PkiDir, "retired");
            Directory.CreateDirectory(retired);
            File.Copy(admin.Paths.CaCertificate, Path.Combine(retired, $"ca-{oldCa.SerialNumber}.crt"), overwrite: true);

            var ca = CertificateAuthority.Create("VrsMsrc Regional CA", admin.Time);
            using var server = ca.IssueServer(HubCertificateNames(oldHub));
            ca.Save(admin.Paths.CaCertificate, admin.Paths.CaKey);
            HubCertificateFiles.Replace(admin.Paths, server);
            var revoked = admin.Registry.Certificates(null).Where(c => c.RevokedAt is null)
                .Select(c => admin.Registry.RevokeSerial(c.Serial, "regional CA replaced") is not null ? c.Serial : null).OfType<string>().ToList();
            admin.Audit.Append(admin.Actor, "pki.new-ca", AuditOutcome.Ok, AuditChain.Detail(
                ("old_ca", oldCa.SerialNumber), ("ca", ca.Certificate.SerialNumber), ("revoked", revoked)));
            Console.WriteLine($"New regional CA {ca.Certificate.SerialNumber}; the old CA certificate is kept in {retired}.");
            Console.WriteLine($"Revoked {revoked.Count} node certificate(s). Restart 'vrs-hub serve', give every node the new {admin.Paths.CaCertificate},");
            Console.WriteLine("sign each node's CSR again ('vrs-hub pki sign'), and have each node run 'vrs-node enrol --cert NODE.crt --ca ca.crt'.");
            return Task.FromResult(0);
        });
        return command;
    }

    public static Command Nodes(Option<DirectoryInfo> dataDir)
    {
        var format = CommandLine.FormatOption("table", "csv", "json");
        var command = new Command("nodes", "List enrolled nodes (and enable or disable one)") { dataDir, format };
        command.SetHandler((parse, _) =>
        {
            var admin = AdminContext.Open(parse.GetValue(dataDir)!);
            var now = admin.Time.GetUtcNow();
            TabularOutput.Write(Console.Out, parse.GetValue(format)!,
                ["state", "enabled", "certificate_not_after", "releases", "last_release_at", "certificate", "chain_length", "chain_head"],
                admin.Registry.List().Select(n => new object?[]
                {
                    n.State, n.Enabled, n.CertificateNotAfter, n.Releases, n.LastReleaseAt,
                    n.CertificateNotAfter is { } notAfter
                        ? CertificateStatus.Of(null, Parse(notAfter), false, now, admin.Settings.Security.CertificateWarningDays)
                        : "none valid",
                    n.ChainLength ?? 0, n.ChainHead ?? TransparencyChain.Genesis,
                }));
            return Task.FromResult(0);
        });
        command.Subcommands.Add(SetEnabled(dataDir, true));
        command.Subcommands.Add(SetEnabled(dataDir, false));
        return command;
    }

    private static Command SetEnabled(Option<DirectoryInfo> dataDir, bool enabled)
    {
        var node = StateOption();
        var command = new Command(enabled ? "enable" : "disable",
            enabled ? "Let a disabled node connect again" : "Refuse a node's connections (from the next one on) without revoking its certificates")
        {
            dataDir, node,
        };
        command.SetHandler((parse, _) =>
        {
            var admin = AdminContext.Open(parse.GetValue(dataDir)!);
            var state = State(parse.GetValue(node)!);
            if (!admin.Registry.SetEnabled(state, enabled))
            {
                throw new CommandException($"{state} is not enrolled");
            }

            admin.Audit.Append(admin.Actor, enabled ? "node.enable" : "node.disable", AuditOutcome.Ok, AuditChain.Detail(("node", state)));
            Console.WriteLine($"{state} {(enabled ? "enabled" : "disabled")}.");
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>DNS names and IP addresses of a hub certificate, to issue its successor for the same names.</summary>
    private static List<string> HubCertificateNames(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        var san = certificate.Extensions.OfType<System.Security.Cryptography.X509Certificates.X509SubjectAlternativeNameExtension>().FirstOrDefault();
        return san is null ? ["localhost", "127.0.0.1"]
            : [.. san.EnumerateDnsNames(), .. san.EnumerateIPAddresses().Select(a => a.ToString())];
    }

    private static DateTimeOffset Parse(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);

    private static Option<string> StateOption() => new("--node") { Description = "The node's state, ISO 3166-1 alpha-3", Required = true };

    private static string State(string value)
    {
        var state = value.ToUpperInvariant();
        return Iso3().IsMatch(state) && Codes.Nationalities.Contains(state) && !state.StartsWith("XX", StringComparison.Ordinal)
            ? state
            : throw new CommandException($"--node '{value}' is not an ISO 3166-1 alpha-3 country code");
    }

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex Iso3();

    [GeneratedRegex("^[0-9A-Fa-f]{1,64}$")]
    private static partial Regex SerialPattern();
}
