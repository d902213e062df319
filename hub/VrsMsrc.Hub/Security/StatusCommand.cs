using System.CommandLine;
using System.Globalization;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Contracts.Security;
using VrsMsrc.Hub.Pki;

namespace VrsMsrc.Hub.Security;

/// <summary>vrs-hub status: what an operator checks first, with certificate expiry warnings.</summary>
internal static class StatusCommand
{
    public static Command Create(Option<DirectoryInfo> dataDir)
    {
        var command = new Command("status", "Certificates (with expiry warnings), nodes, accounts and the audit log at a glance") { dataDir };
        command.SetHandler((parse, _) =>
        {
            var admin = AdminContext.Open(parse.GetValue(dataDir)!);
            var now = admin.Time.GetUtcNow();
            var warn = admin.Settings.Security.CertificateWarningDays;
            using var ca = RegionalTrust.LoadCertificate(admin.Paths.CaCertificate);
            using var hub = RegionalTrust.LoadCertificate(admin.Paths.HubCertificate);
            var nodes = admin.Registry.List();
            var expiring = nodes
                .Select(n => (n.State, Status: n.CertificateNotAfter is { } t
                    ? CertificateStatus.Of(null, DateTimeOffset.Parse(t, CultureInfo.InvariantCulture), false, now, warn)
                    : "no valid certificate"))
                .Where(n => n.Status != "valid")
                .ToList();
            var accounts = admin.AccountStore.List();
            var last = admin.Audit.Last();
            var lines = new List<(string, string)>
            {
                ("regional CA", Describe(ca, now, warn)),
                ("hub certificate", Describe(hub, now, warn)),
                ("nodes", $"{nodes.Count} enrolled, {nodes.Count(n => !n.Enabled)} disabled"),
                ("node certificates", expiring.Count == 0 ? "all valid" : string.Join("; ", expiring.Select(n => $"{n.State}: {n.Status}"))),
                ("accounts", $"{accounts.Count} ({accounts.Count(a => !a.Enabled)} disabled, {accounts.Count(a => a.LockedUntil is { } l && DateTimeOffset.Parse(l, CultureInfo.InvariantCulture) > now)} locked out)"),
                ("audit log", last is null ? "empty" : $"{last.Seq} entries, last at {last.At} (verify with 'vrs-hub audit --verify')"),
            };
            foreach (var (label, value) in lines)
            {
                Console.WriteLine($"{label,-18} {value}");
            }

            return Task.FromResult(0);
        });
        return command;
    }

    private static string Describe(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, DateTimeOffset now, int warningDays)
    {
        var status = CertificateStatus.Of(certificate.NotBefore.ToUniversalTime(), certificate.NotAfter.ToUniversalTime(), false, now, warningDays);
        return $"{status}, until {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd} (serial {certificate.SerialNumber})";
    }
}
