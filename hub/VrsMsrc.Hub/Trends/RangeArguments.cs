namespace VrsMsrc.Hub.Trends;

/// <summary>
/// The range and states of a question summed over months (flows, fees, profiles), checked as the series
/// checks them, and authorised against the caller's scope before anything is read: these answers never
/// break down by state, so a restricted caller may ask for regional sums or for its own state.
/// </summary>
internal sealed record RangeArguments(string? From, string? To, IReadOnlyList<string> States)
{
    /// <summary>More states than any region has; a longer list is a mistake or an attack.</summary>
    public const int MaxStates = 300;

    /// <summary>No table has more dimensions than this; more filters or groupings are a mistake or an attack.</summary>
    public const int MaxFilters = 8;

    public static RangeArguments Parse(string from, string to, IReadOnlyCollection<string> states, QueryScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (states.Count > MaxStates)
        {
            throw new QueryException($"at most {MaxStates} states may be named, not {states.Count}");
        }

        var first = SeriesEngine.MonthArgument(from, "from");
        var last = SeriesEngine.MonthArgument(to, "to");
        if (first is not null && last is not null && string.CompareOrdinal(first, last) > 0)
        {
            throw new QueryException($"--from {first} is after --to {last}");
        }

        var codes = SeriesEngine.StateArguments(states);
        scope.Authorize(codes, groupedByState: false);
        return new RangeArguments(first, last, codes);
    }

    /// <summary>Refuses more --where or --by entries than any table could use, before they reach the store.</summary>
    public static void CheckCount(IReadOnlyCollection<string> entries, string name)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count > MaxFilters)
        {
            throw new QueryException($"at most {MaxFilters} --{name} entries, not {entries.Count}");
        }
    }
}
