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

    public string? Problem() =>
        Threshold < MinimumThreshold ? $"Threshold is {Threshold}; it may not be below {MinimumThreshold}"
        : MaxNoise is < 1 or > 50 ? $"MaxNoise is {MaxNoise}; it must be between 1 and 50"
        : Variance <= 0 || Variance > MaxNoise * MaxNoise ? $"Variance is {Variance}; it must be above 0 and at most MaxNoise² ({MaxNoise * MaxNoise})"
        : null;
}
