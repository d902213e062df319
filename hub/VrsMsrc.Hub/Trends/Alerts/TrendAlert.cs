namespace VrsMsrc.Hub.Trends.Alerts;

/// <summary>
/// One month of one series above what its detector considers ordinary. <see cref="State"/> is empty for a
/// regional series (the states summed); <see cref="Dims"/> is key=value pairs joined by ';', sorted by key.
/// </summary>
internal sealed record TrendAlert(
    string State,
    string Table,
    string Measure,
    string Dims,
    string Month,
    double Observed,
    double UpperBound,
    string Method)
{
    /// <summary>Consecutive months alarming in this series, up to and including this one.</summary>
    public int Persistence { get; init; } = 1;

    /// <summary>States alarming on the same table, measure and dims within a month of this one.</summary>
    public int StatesAlarming { get; init; } = 1;

    public double Score { get; init; }

    /// <summary>The series, whichever state it belongs to.</summary>
    public (string Table, string Measure, string Dims) Key => (Table, Measure, Dims);
}

/// <summary>A detection pass: when, over what, with what result; the trigger says why it ran.</summary>
internal sealed record AlertRun(
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    string Trigger,
    int SeriesWatched,
    int Alerts,
    string FirstMonth,
    string LastMonth);
