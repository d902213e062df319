namespace VrsMsrc.Hub.Trends;

/// <summary>A question the sharing rule does not allow this caller to ask.</summary>
internal sealed class SharingRefusedException(string message) : Exception(message);

/// <summary>
/// What per-state data a caller may see, decided before the query by the sharing rule and enforced by
/// the engine on every question (DESIGN §5), whichever way the question came in.
/// </summary>
internal sealed record QueryScope(string Principal, string? OwnState, bool SeesAllStates, string? Limitation)
{
    /// <summary>Operators at the hub's machine, regional analysts, operators' accounts.</summary>
    public static QueryScope Unrestricted(string principal) => new(principal, null, true, null);

    /// <summary>
    /// A restricted caller may ask for its own state's data, or for totals over the whole region without
    /// a per-state breakdown; anything naming or grouping by other states is refused.
    /// </summary>
    public void Authorize(IReadOnlyCollection<string> states, bool groupedByState)
    {
        if (SeesAllStates)
        {
            return;
        }

        var onlyOwn = states.Count > 0 && states.All(s => s == OwnState);
        if (onlyOwn || (states.Count == 0 && !groupedByState))
        {
            return;
        }

        throw new SharingRefusedException(
            $"{Limitation}: you may see {OwnState}'s own data (--state {OwnState}) and regional totals (no --state, not --by state)");
    }
}
