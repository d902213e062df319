using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace VrsMsrc.System.Tests.Infrastructure;

/// <summary>
/// Keeps what a component logged, stamped with its own clock, so that a test can assert on it (the
/// circuit opened, a refusal was logged); with an output helper it also echoes to the test's output.
/// </summary>
internal sealed class TestOutputLogger(string name, TimeProvider? time = null, ITestOutputHelper? echo = null) : ILogger
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>This logger where a component asks for its own category (a hosted service's ILogger&lt;T&gt;).</summary>
    public ILogger<T> For<T>() => new Typed<T>(this);

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var line = $"{(time ?? TimeProvider.System).GetUtcNow():yyyy-MM-dd HH:mm:ss.fff} {name} {logLevel}: {formatter(state, exception)}";
        lock (_lines)
        {
            _lines.Add(line);
        }

        try
        {
            echo?.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // A background publisher may log after its test has finished.
        }
    }

    private sealed class Typed<T>(TestOutputLogger inner) : ILogger<T>
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            inner.Log(logLevel, eventId, state, exception, formatter);
    }
}
