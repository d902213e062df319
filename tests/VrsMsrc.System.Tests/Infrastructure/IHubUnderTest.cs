using VrsMsrc.Hub.Configuration;

namespace VrsMsrc.System.Tests.Infrastructure;

/// <summary>A hub a test node can enrol at: in this process (<see cref="TestHub"/>) or in its own (<see cref="HubProcess"/>).</summary>
internal interface IHubUnderTest
{
    HubPaths Paths { get; }

    string ExchangeUrl { get; }

    /// <summary>Signs the node's CSR and registers it, as 'vrs-hub pki sign' does; returns the certificate's path.</summary>
    string SignAndRegister(string csrPath, string state);
}
