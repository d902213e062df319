using System.Diagnostics;
using System.Globalization;
using System.Text;
using VrsMsrc.System.Tests.Infrastructure;

namespace VrsMsrc.System.Tests.Faults;

/// <summary>The fault tests run one after the other: they start and kill processes and time their faults by the wall clock.</summary>
[CollectionDefinition(Name)]
public sealed class FaultSuite : ICollectionFixture<FaultLedger>
{
    public const string Name = "Fault injection";
}

/// <summary>
/// Tallies, over the whole fault suite, the faults injected and what the delivery checker compared
/// afterwards; each test reports its own line and the running total, and the total is written to
/// fault-suite.txt beside the test assembly when the suite ends.
/// </summary>
public sealed class FaultLedger : IDisposable
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<string> _lines = [];
    private DeliveryCheck _checked = new(0, 0, 0);
    private long _faults;

    internal string Record(string scenario, long faults, DeliveryCheck check, TimeSpan elapsed, string detail)
    {
        lock (_lines)
        {
            _faults += faults;
            _checked += check;
            var line = string.Create(CultureInfo.InvariantCulture,
                $"{scenario}: {faults} faults injected ({detail}); checked {check.Releases} releases, {check.Slices} state-month-tables, {check.Cells} cells; {elapsed.TotalSeconds:F1} s");
            _lines.Add(line);
            return line + "\n" + Total();
        }
    }

    private string Total() => string.Create(CultureInfo.InvariantCulture,
        $"fault suite so far: {_lines.Count} scenarios, {_faults} faults injected, {_checked.Releases} releases checked ({_checked.Cells} cells), {_clock.Elapsed.TotalSeconds:F0} s");

    public void Dispose()
    {
        lock (_lines)
        {
            var report = new StringBuilder().AppendJoin('\n', _lines).Append('\n').Append(Total()).Append('\n').ToString();
            File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "fault-suite.txt"), report);
        }
    }
}
