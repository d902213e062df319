namespace VrsMsrc.Node.Protection;

/// <summary>Parameters of the cell key method (DESIGN §3.4), configurable per node, never sent.</summary>
internal sealed record ProtectionParameters
{
    /// <summary>Published floor below which the design allows no node to go.</summary>
    public const int MinimumThreshold = 5;

    /// <summary>k: cells below it are not published, and nothing publishes a value in 1..k−1.</summary>
    public int Threshold { get; init; } = 10;

    /// <summary>D: the largest change noise may make to a cell.</summary>
    public int MaxNoise { get; init; } = 5;

    /// <summary>V: target variance of the noise where the threshold does not squeeze it.</summary>
    public double Variance { get; init; } = 3.0;

    /// <summary>
    /// p0: the probability that a cell is published unchanged (where the threshold allows noise both
    /// ways). The default 0.25 is close to what the default D and V give on their own, so a cell is exact
    /// about one time in four; raising it makes more cells exact, which also tells an attacker that a
    /// given cell is more likely exact, so it is capped at 0.5.
    /// </summary>
    public double NoChangeProbability { get; init; } = 0.25;

    public string? Problem() =>
        Threshold < MinimumThreshold ? $"Threshold is {Threshold}; it may not be below {MinimumThreshold}"
        : MaxNoise is < 1 or > 50 ? $"MaxNoise is {MaxNoise}; it must be between 1 and 50"
        : Variance <= 0 || Variance > MaxNoise * MaxNoise ? $"Variance is {Variance}; it must be above 0 and at most MaxNoise² ({MaxNoise * MaxNoise})"
        : NoChangeProbability is < 0 or > 0.5 ? $"NoChangeProbability is {NoChangeProbability}; it must be between 0 and 0.5"
        : Variance / (1 - NoChangeProbability) > MaxNoise * MaxNoise
            ? $"Variance {Variance} cannot be reached with NoChangeProbability {NoChangeProbability} and MaxNoise {MaxNoise}: lower one of the first two or raise MaxNoise"
        : Variance < 1 - NoChangeProbability
            ? $"Variance {Variance} is below 1 − NoChangeProbability ({1 - NoChangeProbability}), the least any noise other than zero gives: raise NoChangeProbability or Variance"
        : null;
}
