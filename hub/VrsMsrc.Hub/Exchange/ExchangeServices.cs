using VrsMsrc.Contracts.Security;
using VrsMsrc.Hub.Configuration;

namespace VrsMsrc.Hub.Exchange;

internal static class ExchangeServices
{
    public static IServiceCollection AddHubExchange(this IServiceCollection services, HubPaths paths) => services
        .AddSingleton(sp => ActivatorUtilities.CreateInstance<NodeCertificateValidator>(sp, RegionalTrust.LoadCertificate(paths.CaCertificate)));
}
