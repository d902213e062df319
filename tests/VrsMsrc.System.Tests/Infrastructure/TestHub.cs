using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using VrsMsrc.Contracts.Security;
using VrsMsrc.Hub.Accounts;
using VrsMsrc.Hub.Audit;
using VrsMsrc.Hub.Configuration;
using VrsMsrc.Hub.Pki;
using VrsMsrc.Hub.Security;
using VrsMsrc.Hub.Serving;
using VrsMsrc.Hub.Setup;
using VrsMsrc.Hub.Storage;
using VrsMsrc.Tests.Shared;

namespace VrsMsrc.System.Tests.Infrastructure;

/// <summary>
/// A real hub (InProcessHub) in a temporary folder, with what the system tests ask of it: accounts,
/// analyst channels, its audit log and database.
/// </summary>
internal sealed class TestHub : InProcessHub, IHubUnderTest
{
    private TestHub((HubPaths, WebApplication, HubListeners) started)
        : base(started)
    {
    }

    public X509Certificate2 CaCertificate => RegionalTrust.LoadCertificate(Paths.CaCertificate);
    public HubDatabase Database => new(Paths.Database);

    public static async Task<TestHub> StartAsync() => new(await LaunchAsync(Directory.CreateTempSubdirectory("vrs-hub-")));

    /// <summary>
    /// A channel to the analyst listener that trusts only the regional CA, carrying <paramref name="token"/>;
    /// without one, the token of a regional analyst made for the test.
    /// </summary>
    public GrpcChannel AnalystChannel(string? token = null) =>
        AnalystClient.Open(AnalystUrl, token ?? (_regionalToken ??= AddAccount("test-regional", Role.RegionalAnalyst, null)), CaCertificate);

    private string? _regionalToken;

    /// <summary>Creates an account as 'vrs-hub user add' does and returns an API token for it.</summary>
    public string AddAccount(string name, Role role, string? state, string password = "correct horse battery staple")
    {
        var accounts = Services.GetRequiredService<AccountService>();
        accounts.Add(name, role, state, password, "test");
        return accounts.IssueApiToken(name, "test", null, "test").Secret;
    }

    public IAuditLog Audit => Services.GetRequiredService<IAuditLog>();

    /// <summary>
    /// The first audit entry matching, waiting a little: a refused handshake is audited on the server's
    /// side of the connection, which may finish after the client has seen the failure.
    /// </summary>
    public async Task<AuditEntry> AuditEntryAsync(Func<AuditEntry, bool> match, string what)
    {
        for (var i = 0; i < 100; i++)
        {
            if (Audit.Read(new AuditFilter(Limit: 100_000)).FirstOrDefault(match) is { } entry)
            {
                return entry;
            }

            await Task.Delay(50);
        }

        var all = string.Join("\n", Audit.Read(new AuditFilter(Limit: 100_000)).Select(e => $"{e.Seq} {e.Actor} {e.Action} {e.Outcome} {e.Detail}"));
        throw new Xunit.Sdk.XunitException($"no audit entry for {what}; the log holds:\n{all}");
    }

    public long Count(string sql)
    {
        using var connection = Database.Open(readOnly: true);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            Directory.Delete(Paths.DataDir, recursive: true);
        }
        catch (IOException)
        {
            // A lingering SQLite handle on a temp folder is not worth failing a test for.
        }
    }
}
