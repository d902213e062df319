using System.Net;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VrsMsrc.Contracts.Security;
using VrsMsrc.Contracts.V1;
using VrsMsrc.Hub.Configuration;

namespace VrsMsrc.System.Tests.Infrastructure;

/// <summary>What the fake hub answers; each test sets what it needs.</summary>
internal sealed class FakeExchange : Exchange.ExchangeBase
{
    public Func<HelloRequest, HelloResponse> OnHello { get; set; } = _ => new HelloResponse();

    public Func<ServerCallContext, Task<PushReceipt>> OnPush { get; set; } = _ => Task.FromResult(new PushReceipt());

    public override Task<HelloResponse> Hello(HelloRequest request, ServerCallContext context) => Task.FromResult(OnHello(request));

    public override async Task<PushReceipt> Push(IAsyncStreamReader<PushChunk> requestStream, ServerCallContext context)
    {
        await requestStream.MoveNext(context.CancellationToken);
        return await OnPush(context);
    }
}

/// <summary>
/// A hub that answers what a test tells it to, behind the real hub's server certificate, so that nodes
/// accept it: for the answers a real hub of this version never gives (another schema, another state).
/// </summary>
internal sealed class FakeHub : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeHub(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    public static async Task<FakeHub> StartAsync(HubPaths certificates, FakeExchange exchange)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(exchange);
        var certificate = RegionalTrust.LoadWithKey(certificates.HubCertificate, certificates.HubKey);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.UseHttps(certificate);
        }));
        var app = builder.Build();
        app.MapGrpcService<FakeExchange>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new FakeHub(app, $"https://localhost:{new Uri(address).Port}");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
