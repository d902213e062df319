using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Connections.Features;
using VrsMsrc.Hub.Accounts;
using VrsMsrc.Hub.Audit;
using VrsMsrc.Hub.Configuration;
using VrsMsrc.Hub.Exchange;

namespace VrsMsrc.Hub.Security;

internal static class SecurityServices
{
    /// <summary>The policy every analyst endpoint requires: a valid bearer token of an enabled account.</summary>
    public const string AnalystPolicy = "analyst";

    public static IServiceCollection AddHubSecurity(this IServiceCollection services, HubPaths paths)
    {
        services
            .AddSingleton<AccountService>()
            .AddSingleton<SharingRule>()
            .AddSingleton(sp => ActivatorUtilities.CreateInstance<HubCertificateSource>(sp, paths));
        services.AddAuthentication(BearerAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerAuthenticationHandler>(BearerAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(AnalystPolicy, policy => policy.AddAuthenticationSchemes(BearerAuthenticationHandler.SchemeName).RequireAuthenticatedUser());
        services.AddGrpc().AddServiceOptions<ExchangeService>(o => o.Interceptors.Add<ExchangeAudit>());
        return services;
    }

    /// <summary>
    /// Keeps each service on its own listener: the Exchange only where a node certificate was checked,
    /// everything else (Trends, Session, later the dashboard) only on the analyst listener. Endpoint
    /// routing alone would serve every service on every port.
    /// </summary>
    public static IApplicationBuilder UseListenerSeparation(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var onExchange = context.Features.Get<IConnectionItemsFeature>()?.Items.ContainsKey(ExchangeListener.Item) == true;
        var exchangePath = context.Request.Path.StartsWithSegments("/vrsmsrc.v1.Exchange", StringComparison.Ordinal);
        if (onExchange == exchangePath)
        {
            await next(context);
            return;
        }

        var actor = context.Connection.ClientCertificate is { } certificate ? "certificate:" + certificate.SerialNumber : AuditActor.Anonymous;
        context.RequestServices.GetRequiredService<IAuditLog>().Append(actor, "access", AuditOutcome.Refused, AuditChain.Detail(
            ("reason", onExchange ? "not served on the exchange listener" : "the exchange is served only on the mutual-TLS listener"),
            ("path", context.Request.Path.Value), ("remote", context.Connection.RemoteIpAddress?.ToString())));
        context.Response.StatusCode = StatusCodes.Status404NotFound;
    });
}
