using Microsoft.Extensions.Logging;

namespace VrsMsrc.Contracts.Operations;

/// <summary>How 'serve' writes its log.</summary>
public enum LogFormat
{
    /// <summary>Text on a terminal, JSON lines otherwise (systemd's journal, a container's log, a file).</summary>
    Auto,
    Text,
    Json,
}

/// <summary>The "Operations" section both services share: logging of 'serve'.</summary>
public sealed record OperationsSettings
{
    public LogFormat LogFormat { get; init; } = LogFormat.Auto;

    /// <summary>Least severe level written by 'serve': Trace, Debug, Information, Warning, Error, Critical.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    public static IEnumerable<SettingRule<T>> Rules<T>(Func<T, OperationsSettings> section) =>
    [
        new("Operations:LogLevel", s => section(s).LogLevel is LogLevel.None ? "None would hide every error: use Critical at most" : null),
    ];
}
