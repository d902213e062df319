using VrsMsrc.Hub.Accounts;
using VrsMsrc.Hub.Configuration;
using VrsMsrc.Hub.Nodes;
using VrsMsrc.Hub.Trends;

namespace VrsMsrc.Hub.Security;

/// <summary>
/// The rule the original system kept: only states that contribute see other states' data. A state
/// analyst's state must have delivered a release within the configured window (12 months by default).
/// </summary>
internal sealed class SharingRule(INodeRegistry registry, HubSettings settings, TimeProvider time)
{
    public QueryScope ScopeFor(AnalystIdentity identity)
    {
        if (identity.Role != Role.StateAnalyst || identity.State is null)
        {
            return QueryScope.Unrestricted(identity.Account);
        }

        var window = settings.Security.SharingWindowMonths;
        var last = registry.LastContribution(identity.State);
        if (last is { } at && at >= time.GetUtcNow().AddMonths(-window))
        {
            return QueryScope.Unrestricted(identity.Account) with { OwnState = identity.State };
        }

        var since = last is { } l ? $"its last release arrived on {l:yyyy-MM-dd}" : "it has never sent one";
        return new QueryScope(identity.Account, identity.State, false,
            $"{identity.State} has not contributed a release in the last {window} months ({since})");
    }
}
