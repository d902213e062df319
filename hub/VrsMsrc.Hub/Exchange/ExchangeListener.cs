using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using VrsMsrc.Hub.Audit;
using VrsMsrc.Hub.Security;

namespace VrsMsrc.Hub.Exchange;

/// <summary>
/// The mutual-TLS listener for nodes. The TLS options are made per handshake, so the hub certificate
/// can be rotated and the node registry is consulted on every connection. Every handshake that does not
/// complete is audited once: with the certificate's reason when the node validator refused it, or as a
/// TLS failure (an old protocol version such as TLS 1.1, no TLS at all, a client that gave up).
/// </summary>
internal static class ExchangeListener
{
    /// <summary>Marks connections of this listener, so that requests can be kept to their own listener.</summary>
    public const string Item = "vrs.listener.exchange";
    private const string Refused = "vrs.handshake.refused";
    private const string NodeState = "vrs.handshake.node";
    private const string Completed = "vrs.handshake.completed";

    /// <summary>
    /// HTTP/2 flow-control windows of the hub's server: a node may have a whole 4 MB release in flight (the
    /// stream's window, four 1 MB chunks) and the connection twice that, instead of Kestrel's 768 KB and 1 MB,
    /// so it sends on while the hub copies and hashes the chunks before, rather than waiting for window updates.
    /// Bounded per connection, and only enrolled nodes get a connection; the ceiling of the push benchmark uses them too.
    /// </summary>
    public static void ConfigureWindows(KestrelServerLimits limits)
    {
        limits.Http2.InitialStreamWindowSize = 4 << 20;
        limits.Http2.InitialConnectionWindowSize = 8 << 20;
    }

    public static void Configure(ListenOptions listen, IServiceProvider services)
    {
        var validator = services.GetRequiredService<NodeCertificateValidator>();
        var certificates = services.GetRequiredService<HubCertificateSource>();
        var audit = services.GetRequiredService<IAuditLog>();
        var log = services.GetRequiredService<ILogger<NodeCertificateValidator>>();

        listen.Protocols = HttpProtocols.Http2;
        listen.Use(next => async connection =>
        {
            connection.Items[Item] = true;
            string? failure = null;
            try
            {
                await next(connection);
            }
            catch (Exception e) when (!connection.Items.ContainsKey(Completed))
            {
                // SslStream reports some failed handshakes (a client that offers only TLS 1.1, for one)
                // as exceptions, not as the quiet return Kestrel gives the others. Before the handshake
                // completed, nothing but this connection is at stake: record it and close.
                failure = $"{e.GetType().Name}: {e.Message}";
            }

            if (!connection.Items.ContainsKey(Completed) && !connection.Items.ContainsKey(Refused))
            {
                Audit(audit, log, "TLS handshake did not complete (protocol version or cipher refused, not TLS, or the client gave up)"
                    + (failure is null ? "" : $": {failure}"), null, connection.RemoteEndPoint?.ToString());
            }
        });
        listen.UseHttps(new TlsHandshakeCallbackOptions
        {
            OnConnection = context =>
            {
                var connection = context.Connection;
                return ValueTask.FromResult(new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = certificates.Context,
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    ClientCertificateRequired = true,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck, // the registry is the revocation list
                    // Our own chain building replaces the platform's, so only the regional CA counts.
                    RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    {
                        var node = certificate is null ? null : certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                        var (state, refusal) = validator.Decide(node);
                        if (state is not null)
                        {
                            connection.Items[NodeState] = state;
                            return true;
                        }

                        connection.Items[Refused] = true;
                        Audit(audit, log, refusal!, node, connection.RemoteEndPoint?.ToString());
                        return false;
                    },
                });
            },
        });
        listen.Use(next => connection =>
        {
            connection.Items[Completed] = true;
            return next(connection);
        });
    }

    /// <summary>
    /// The state whose node certificate this call's connection presented, as its TLS handshake decided; null
    /// off the exchange listener, or when the handshake did not call the validator. The chain and the
    /// certificate's own fields cannot change while the connection lasts, so calls on it need not check them again.
    /// </summary>
    public static string? CallerState(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(NodeState, out var state) == true ? state as string : null;

    private static void Audit(IAuditLog audit, ILogger log, string reason, X509Certificate2? certificate, string? remote)
    {
        log.LogWarning("Refused exchange connection from {Remote}: {Reason} (certificate {Subject}, serial {Serial})",
            remote, reason, certificate?.Subject ?? "none", certificate?.SerialNumber ?? "-");
        try
        {
            audit.Append(AuditActor.Anonymous, "handshake", AuditOutcome.Refused, AuditChain.Detail(
                ("reason", reason), ("remote", remote), ("subject", certificate?.Subject), ("serial", certificate?.SerialNumber),
                ("uris", certificate is null ? null : Contracts.Security.CertificateNames.UriSans(certificate))));
        }
        catch (Exception e) when (e is System.Data.Common.DbException or IOException or System.Formats.Asn1.AsnContentException)
        {
            // The connection is refused either way; a failing audit store must not turn it into a crash.
            log.LogError(e, "Could not audit a refused exchange connection");
        }
    }
}
