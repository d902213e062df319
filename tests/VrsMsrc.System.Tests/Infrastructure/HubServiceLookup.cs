using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using VrsMsrc.Hub.Nodes;
using VrsMsrc.Hub.Security;

namespace VrsMsrc.System.Tests.Infrastructure;

/// <summary>Shortcuts to the running hub's services that tests look into.</summary>
internal static class HubServiceLookup
{
    public static INodeRegistry GetRegistry(this IServiceProvider services) => services.GetRequiredService<INodeRegistry>();

    /// <summary>The certificate the hub serves now (read again from disk if it changed).</summary>
    public static X509Certificate2 GetHubCertificate(this IServiceProvider services) => services.GetRequiredService<HubCertificateSource>().Certificate;
}
