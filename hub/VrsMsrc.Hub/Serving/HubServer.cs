using System.Net;
using System.Security.Authentication;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using VrsMsrc.Hub.Configuration;
using VrsMsrc.Hub.Dashboard;
using VrsMsrc.Hub.Exchange;
using VrsMsrc.Hub.Operations;
using VrsMsrc.Hub.Security;
using VrsMsrc.Hub.Storage;
using VrsMsrc.Hub.Trends;

namespace VrsMsrc.Hub.Serving;

/// <summary>The two listeners a running hub has, with the ports actually bound (0 asks for any free one).</summary>
internal sealed class HubListeners
{
    internal ListenOptions? Exchange { get; set; }
    internal ListenOptions? Analyst { get; set; }

    public int ExchangePort => (Exchange?.IPEndPoint ?? throw new InvalidOperationException("not started")).Port;
    public int AnalystPort => (Analyst?.IPEndPoint ?? throw new InvalidOperationException("not started")).Port;
}

internal static class HubServer
{
    public static WebApplication Build(HubPaths paths, HubSettings settings, TimeProvider time, HubListeners listeners, string[]? args = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args ?? []);
        builder.Services.AddHubStorage(paths, settings.Storage, time);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(time);
        builder.Services.AddHubExchange(paths);
        builder.Services.AddHubTrends();
        builder.Services.AddHubSecurity(paths);
        builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = 4 << 20);
        builder.Services.AddTrendsApi();
        builder.Services.AddDashboard();
        builder.AddHubOperations(paths, settings);

        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var certificates = kestrel.ApplicationServices.GetRequiredService<HubCertificateSource>();
            ExchangeListener.ConfigureWindows(kestrel.Limits);
            kestrel.Listen(Endpoint(settings.ExchangeUrl), listen =>
            {
                listeners.Exchange = listen;
                ExchangeListener.Configure(listen, kestrel.ApplicationServices);
            });
            kestrel.Listen(Endpoint(settings.AnalystUrl), listen =>
            {
                listeners.Analyst = listen;
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    // Read per handshake, so that a rotated certificate is served without a restart.
                    ServerCertificateSelector = (_, _) => certificates.Certificate,
                    SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    ClientCertificateMode = ClientCertificateMode.NoCertificate,
                });
            });
        });

        var app = builder.Build();
        // Opening the stores migrates their schema: before the first request, not during it.
        app.Services.GetRequiredService<HubStores>();
        app.UseListenerSeparation();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGrpcService<ExchangeService>();
        app.MapGrpcService<SessionService>().RequireAuthorization(SecurityServices.AnalystPolicy);
        app.MapGrpcService<TrendsService>().RequireAuthorization(SecurityServices.AnalystPolicy);
        app.MapSeriesExport().RequireAuthorization(SecurityServices.AnalystPolicy);
        app.MapDashboard();
        app.MapHubOperations();
        return app;
    }

    private static IPEndPoint Endpoint(string url)
    {
        var uri = new Uri(url);
        var address = uri.Host is "localhost" ? IPAddress.Loopback : IPAddress.Parse(uri.Host.Trim('[', ']'));
        return new IPEndPoint(address, uri.Port);
    }
}
