using System.CommandLine;
using System.Text.RegularExpressions;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Contracts.CodeLists;
using VrsMsrc.Hub.Configuration;
using VrsMsrc.Hub.Nodes;
using VrsMsrc.Hub.Storage;

namespace VrsMsrc.Hub.Pki;

/// <summary>vrs-hub pki sign | revoke, and vrs-hub nodes.</summary>
internal static partial class PkiCommands
{
    public static Command Create(Option<DirectoryInfo> dataDir)
    {
        var pki = new Command("pki", "Regional CA: sign node certificates, revoke them");
        pki.Subcommands.Add(Sign(dataDir));
        pki.Subcommands.Add(Revoke(dataDir));
        return pki;
    }

    private static Command Sign(Option<DirectoryInfo> dataDir)
    {
        var csr = new Argument<FileInfo>("CSR") { Description = "The node's certificate signing request (PEM)" };
        var node = StateOption();
        var output = new Option<FileInfo?>("--out") { Description = "Where to write the certificate (default: pki/issued/<ISO3>.crt)" };
        var command = new Command("sign", "Sign a node's CSR and enrol the node") { dataDir, csr, node, output };
        command.SetHandler((parse, _) =>
        {
            var paths = HubPaths.Existing(parse.GetValue(dataDir)!);
            var state = State(parse.GetValue(node)!);
            var file = parse.GetValue(csr)!;
            if (!file.Exists)
            {
                throw new CommandException($"{file.FullName}: no such file");
            }

            var ca = CertificateAuthority.Load(paths.CaCertificate, paths.CaKey, TimeProvider.System);
            var issued = ca.SignNode(File.ReadAllText(file.FullName), state);
            var target = parse.GetValue(output)?.FullName ?? Path.Combine(paths.IssuedDir, $"{state}.crt");
            File.WriteAllText(target, issued.Pem);
            Registry(paths).Register(issued);
            Console.WriteLine($"Signed certificate for {state} (serial {issued.SerialHex}, valid until {issued.NotAfter:yyyy-MM-dd}): {target}");
            Console.WriteLine($"Give the node this file and {paths.CaCertificate}; on the node run 'vrs-node enrol --cert {Path.GetFileName(target)} --ca ca.crt'.");
            return Task.FromResult(0);
        });
        return command;
    }

    private static Command Revoke(Option<DirectoryInfo> dataDir)
    {
        var node = StateOption();
        var command = new Command("revoke", "Revoke every certificate of a node; takes effect on its next connection") { dataDir, node };
        command.SetHandler((parse, _) =>
        {
            var state = State(parse.GetValue(node)!);
            var count = Registry(HubPaths.Existing(parse.GetValue(dataDir)!)).Revoke(state);
            if (count == 0)
            {
                throw new CommandException($"{state} has no certificate that is not already revoked");
            }

            Console.WriteLine($"Revoked {count} certificate(s) of {state}.");
            return Task.FromResult(0);
        });
        return command;
    }

    public static Command Nodes(Option<DirectoryInfo> dataDir)
    {
        var format = CommandLine.FormatOption("table", "csv", "json");
        var command = new Command("nodes", "List enrolled nodes") { dataDir, format };
        command.SetHandler((parse, _) =>
        {
            var nodes = Registry(HubPaths.Existing(parse.GetValue(dataDir)!)).List();
            TabularOutput.Write(Console.Out, parse.GetValue(format)!,
                ["state", "enabled", "certificate_not_after", "releases", "last_release_at"],
                nodes.Select(n => new object?[] { n.State, n.Enabled, n.CertificateNotAfter, n.Releases, n.LastReleaseAt }));
            return Task.FromResult(0);
        });
        return command;
    }

    private static Option<string> StateOption() => new("--node") { Description = "The node's state, ISO 3166-1 alpha-3", Required = true };

    private static string State(string value)
    {
        var state = value.ToUpperInvariant();
        return Iso3().IsMatch(state) && Codes.Nationalities.Contains(state) && !state.StartsWith("XX", StringComparison.Ordinal)
            ? state
            : throw new CommandException($"--node '{value}' is not an ISO 3166-1 alpha-3 country code");
    }

    private static SqliteNodeRegistry Registry(HubPaths paths)
    {
        var database = new HubDatabase(paths.Database);
        database.Migrate();
        return new SqliteNodeRegistry(database, TimeProvider.System);
    }

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex Iso3();
}
