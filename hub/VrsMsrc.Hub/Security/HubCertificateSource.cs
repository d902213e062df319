using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using VrsMsrc.Contracts.Security;
using VrsMsrc.Hub.Configuration;

namespace VrsMsrc.Hub.Security;

/// <summary>
/// The hub's TLS certificate as it is on disk now. Both listeners ask for it at every handshake, so
/// 'vrs-hub pki rotate' takes effect on the next connection without a restart; connections already
/// open keep the certificate they were made with.
/// </summary>
internal sealed class HubCertificateSource(HubPaths paths, ILogger<HubCertificateSource> log)
{
    private readonly Lock _lock = new();
    private (DateTime Written, long Length) _loadedFrom;
    private X509Certificate2? _certificate;
    private SslStreamCertificateContext? _context;

    public X509Certificate2 Certificate
    {
        get
        {
            Refresh();
            return _certificate!;
        }
    }

    public SslStreamCertificateContext Context
    {
        get
        {
            Refresh();
            return _context!;
        }
    }

    private void Refresh()
    {
        // A stat per handshake is cheap next to the handshake itself.
        var file = new FileInfo(paths.HubCertificate);
        var stamp = (file.LastWriteTimeUtc, file.Length);
        lock (_lock)
        {
            if (_certificate is not null && stamp == _loadedFrom)
            {
                return;
            }

            try
            {
                var certificate = RegionalTrust.LoadWithKey(paths.HubCertificate, paths.HubKey);
                _context = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true);
                _certificate = certificate;
                _loadedFrom = stamp;
                log.LogInformation("Hub certificate loaded: serial {Serial}, valid until {NotAfter:yyyy-MM-dd}", certificate.SerialNumber, certificate.NotAfter);
            }
            catch (Exception e) when (_certificate is not null && e is CryptographicException or IOException or ArgumentException)
            {
                // A rotation half-way through (key and certificate not yet matching) must not take the
                // hub down: keep serving the previous certificate and look again on the next handshake.
                log.LogWarning("Could not load the new hub certificate, keeping the current one: {Reason}", e.Message);
            }
        }
    }
}
