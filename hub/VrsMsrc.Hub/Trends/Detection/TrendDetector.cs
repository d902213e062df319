namespace VrsMsrc.Hub.Trends.Detection;

/// <summary>
/// What a detector says about one month: the largest count it still considers ordinary (null where it cannot
/// say, which R reports as NA) and whether the observed count is an alarm (null where there is nothing to judge).
/// </summary>
internal readonly record struct MonthVerdict(double? UpperBound, bool? Alarm)
{
    /// <summary>No verdict: the month is missing, or the series is too short or too sparse to model it.</summary>
    public static MonthVerdict None { get; } = new(null, null);
}

/// <summary>
/// An emerging-trend detector over a monthly count series. Missing months (suppressed or unreleased cells) are
/// null, never zero: they are left out of every baseline and get no verdict themselves.
/// </summary>
internal interface ITrendDetector
{
    /// <summary>Verdict on <paramref name="month"/> (an index into the series) from it and the months before it.</summary>
    MonthVerdict Evaluate(IReadOnlyList<double?> observed, int month);

    IReadOnlyList<MonthVerdict> Evaluate(IReadOnlyList<double?> observed, IEnumerable<int> months) =>
        months.Select(m => Evaluate(observed, m)).ToArray();
}

/// <summary>The detectors by the names the command line and the alerts use.</summary>
internal static class TrendDetectors
{
    public static IReadOnlyList<string> Names { get; } = ["farrington", "ears-c1", "ears-c2", "ears-c3"];

    public static ITrendDetector Create(string name) => name switch
    {
        "farrington" => new FarringtonFlexible(FarringtonSettings.NoufailyMonthly),
        "ears-c1" => new EarsC(EarsVariant.C1),
        "ears-c2" => new EarsC(EarsVariant.C2),
        "ears-c3" => new EarsC(EarsVariant.C3),
        _ => throw new ArgumentException($"unknown detection method '{name}'", nameof(name)),
    };
}
