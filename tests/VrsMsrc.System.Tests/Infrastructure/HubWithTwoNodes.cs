namespace VrsMsrc.System.Tests.Infrastructure;

/// <summary>A test class's own hub with two enrolled nodes, ITA and GRC, fresh for every test.</summary>
public abstract class HubWithTwoNodes : IAsyncLifetime
{
    private protected TestHub _hub = null!;
    private protected TestNode _ita = null!;
    private protected TestNode _grc = null!;

    public async Task InitializeAsync()
    {
        _hub = await TestHub.StartAsync();
        _ita = TestNode.Enrolled(_hub, "ITA");
        _grc = TestNode.Enrolled(_hub, "GRC");
    }

    public async Task DisposeAsync()
    {
        _ita.Dispose();
        _grc.Dispose();
        await _hub.DisposeAsync();
    }
}
