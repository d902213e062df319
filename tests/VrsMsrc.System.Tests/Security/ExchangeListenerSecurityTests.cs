using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Accounts;
using VrsMsrc.Hub.Audit;
using VrsMsrc.Hub.Pki;
using VrsMsrc.Hub.Security;
using VrsMsrc.System.Tests.Infrastructure;

namespace VrsMsrc.System.Tests.Security;

/// <summary>
/// The security matrix at the exchange listener (DESIGN §5): every kind of client certificate that
/// must not get in is refused at the TLS handshake, and each refusal is in the audit log with its reason.
/// </summary>
[Trait("Category", "Security")]
public sealed class ExchangeListenerSecurityTests : IAsyncLifetime
{
    private TestHub _hub = null!;

    public async Task InitializeAsync() => _hub = await TestHub.StartAsync();

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    private X509Certificate2 RegionalCa => _hub.Ca().Certificate;

    private async Task<RpcException> HelloIsRefusedAsync(X509Certificate2? client)
    {
        using var channel = TestCertificates.ExchangeChannel(_hub, client);
        var exchange = new Exchange.ExchangeClient(channel);
        var error = await Assert.ThrowsAsync<RpcException>(async () => await exchange.HelloAsync(new HelloRequest { SchemaVersion = 1 }));
        Assert.Equal(0, _hub.Count("SELECT COUNT(*) FROM releases"));
        return error;
    }

    private Task<AuditEntry> HandshakeRefusedAsync(X509Certificate2 certificate, string reason) =>
        _hub.AuditEntryAsync(
            e => e is { Action: "handshake", Outcome: AuditOutcome.Refused, Actor: AuditActor.Anonymous }
                 && e.Detail.Contains(certificate.SerialNumber, StringComparison.Ordinal)
                 && e.Detail.Contains(reason, StringComparison.Ordinal),
            $"the refused handshake of {certificate.SerialNumber} ({reason})");

    [Fact]
    public async Task No_client_certificate_is_refused_and_audited()
    {
        var error = await HelloIsRefusedAsync(null);
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        await _hub.AuditEntryAsync(e => e is { Action: "handshake", Outcome: AuditOutcome.Refused } && e.Detail.Contains("no client certificate", StringComparison.Ordinal),
            "a handshake without certificate");
    }

    [Fact]
    public async Task A_self_signed_certificate_with_a_valid_looking_subject_is_refused_and_audited()
    {
        using var forged = TestCertificates.Make(null, [TestCertificates.NodeUriFor("ITA")], [TestCertificates.ClientAuth]);
        await HelloIsRefusedAsync(forged);
        await HandshakeRefusedAsync(forged, "does not chain to the regional CA");
    }

    [Fact]
    public async Task A_certificate_from_another_CA_is_refused_and_audited_even_when_registered()
    {
        var other = CertificateAuthority.Create("VrsMsrc Regional CA", TimeProvider.System);
        Assert.Equal(RegionalCa.Subject, other.Certificate.Subject);
        using var foreign = TestCertificates.Make(other.Certificate, [TestCertificates.NodeUriFor("ITA")], [TestCertificates.ClientAuth]);
        TestCertificates.Register(_hub, foreign, "ITA");
        await HelloIsRefusedAsync(foreign);
        await HandshakeRefusedAsync(foreign, "does not chain to the regional CA");
    }

    [Fact]
    public async Task An_expired_certificate_of_the_regional_CA_is_refused_and_audited()
    {
        // The CA of a test hub is minutes old; a certificate may not start before its issuer.
        using var expired = TestCertificates.Make(RegionalCa, [TestCertificates.NodeUriFor("ITA")], [TestCertificates.ClientAuth],
            RegionalCa.NotBefore.ToUniversalTime(), DateTimeOffset.UtcNow.AddSeconds(-30));
        TestCertificates.Register(_hub, expired, "ITA");
        await HelloIsRefusedAsync(expired);
        await HandshakeRefusedAsync(expired, "does not chain to the regional CA");
    }

    [Fact]
    public async Task A_not_yet_valid_certificate_of_the_regional_CA_is_refused_and_audited()
    {
        using var early = TestCertificates.Make(RegionalCa, [TestCertificates.NodeUriFor("ITA")], [TestCertificates.ClientAuth],
            DateTimeOffset.UtcNow.AddDays(1), DateTimeOffset.UtcNow.AddDays(60));
        TestCertificates.Register(_hub, early, "ITA");
        await HelloIsRefusedAsync(early);
        await HandshakeRefusedAsync(early, "does not chain to the regional CA");
    }

    [Fact]
    public async Task A_server_auth_only_certificate_is_refused_and_audited()
    {
        using var server = TestCertificates.Make(RegionalCa, [TestCertificates.NodeUriFor("ITA")], [TestCertificates.ServerAuth]);
        TestCertificates.Register(_hub, server, "ITA");
        await HelloIsRefusedAsync(server);
        // The chain is built for the client-authentication purpose, so it fails there before the explicit EKU check.
        await HandshakeRefusedAsync(server, "does not chain to the regional CA");
    }

    [Fact]
    public async Task A_CA_certificate_used_as_a_client_is_refused_and_audited()
    {
        using var subCa = TestCertificates.Make(RegionalCa, [TestCertificates.NodeUriFor("ITA")], [TestCertificates.ClientAuth], certificateAuthority: true);
        TestCertificates.Register(_hub, subCa, "ITA");
        await HelloIsRefusedAsync(subCa);
        await HandshakeRefusedAsync(subCa, "a CA certificate cannot act as a node");
    }

    [Fact]
    public async Task A_certificate_with_two_node_URI_SANs_is_refused_and_audited()
    {
        using var twoNames = TestCertificates.Make(RegionalCa, [TestCertificates.NodeUriFor("ITA"), TestCertificates.NodeUriFor("GRC")], [TestCertificates.ClientAuth]);
        TestCertificates.Register(_hub, twoNames, "ITA");
        await HelloIsRefusedAsync(twoNames);
        await HandshakeRefusedAsync(twoNames, "exactly one URI SAN");
    }

    [Fact]
    public async Task A_regional_certificate_that_this_hub_never_registered_is_refused_and_audited()
    {
        using var unregistered = TestCertificates.Make(RegionalCa, [TestCertificates.NodeUriFor("ITA")], [TestCertificates.ClientAuth]);
        await HelloIsRefusedAsync(unregistered);
        await HandshakeRefusedAsync(unregistered, "was not issued to ITA by this hub");
    }

    [Fact]
    public async Task Analyst_credentials_on_the_exchange_listener_are_refused_and_audited()
    {
        var token = _hub.AddAccount("alice", Role.RegionalAnalyst, null);
        using var channel = AnalystClient.Open(_hub.ExchangeUrl, token, _hub.CaCertificate);
        var exchange = new Exchange.ExchangeClient(channel);
        await Assert.ThrowsAsync<RpcException>(async () => await exchange.HelloAsync(new HelloRequest { SchemaVersion = 1 }));
        var trends = new Trends.TrendsClient(channel);
        await Assert.ThrowsAsync<RpcException>(async () => await trends.SeriesAsync(new SeriesRequest { Table = "totals", Measure = "migrants" }));
        await _hub.AuditEntryAsync(e => e is { Action: "handshake", Outcome: AuditOutcome.Refused } && e.Detail.Contains("no client certificate", StringComparison.Ordinal),
            "the analyst's handshake without certificate");
        Assert.DoesNotContain(_hub.Audit.Read(new AuditFilter()), e => e.Action.StartsWith("query", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TLS_1_1_is_refused_and_audited()
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, _hub.Listeners.ExchangePort);
        var local = (IPEndPoint)tcp.Client.LocalEndPoint!;
        var failed = false;
        using (tcp)
        using (var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false))
        {
#pragma warning disable SYSLIB0039, CA5397 // TLS 1.1 is obsolete: offering only it is the point of the test
            var options = new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                EnabledSslProtocols = SslProtocols.Tls11,
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null,
            };
#pragma warning restore SYSLIB0039, CA5397
            try
            {
                await tls.AuthenticateAsClientAsync(options);
            }
            catch (Exception e) when (e is AuthenticationException or IOException or global::System.ComponentModel.Win32Exception)
            {
                // Either the hub refuses TLS 1.1, or this machine's OpenSSL refuses to offer it at all
                // (Debian's default MinProtocol is TLS 1.2); both leave the connection without TLS.
                failed = true;
            }
        }

        Assert.True(failed, "a TLS 1.1 handshake with the exchange listener succeeded");
        await _hub.AuditEntryAsync(
            e => e is { Action: "handshake", Outcome: AuditOutcome.Refused } && e.Detail.Contains($"127.0.0.1:{local.Port}", StringComparison.Ordinal),
            "the TLS 1.1 attempt");
    }

    [Fact]
    public async Task A_valid_node_certificate_gets_in_and_nothing_is_refused()
    {
        using var node = TestNode.Enrolled(_hub, "ITA");
        using var channel = Node.Exchange.HubConnection.Open(node.Paths, node.Context.Settings);
        var hello = await new Exchange.ExchangeClient(channel).HelloAsync(new HelloRequest { SchemaVersion = 1 });
        Assert.Equal("ITA", hello.State);
        Assert.DoesNotContain(_hub.Audit.Read(new AuditFilter()), e => e.Outcome == AuditOutcome.Refused);
    }
}
