using VrsMsrc.Hub.Trends.Detection;

namespace VrsMsrc.Hub.Tests.Detection;

/// <summary>
/// The detectors reproduce R's surveillance package row for row: the same NA pattern, the same alarms and the
/// same upper bounds, on the route totals of shared/reference and on the extra cases.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ReferenceOutputTests
{
    public static TheoryData<string> FarringtonCases =>
        [.. ReferenceCases.Names.Where(n => ReferenceCases.OutputFile(n, "farrington") is not null)];

    public static TheoryData<string, string> EarsCases
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var name in ReferenceCases.Names.Where(n => ReferenceCases.OutputFile(n, "ears") is not null))
            {
                foreach (var method in new[] { "C1", "C2", "C3" })
                {
                    data.Add(name, method);
                }
            }

            return data;
        }
    }

    [Fact]
    public void Every_case_has_a_reference()
    {
        Assert.Contains(ReferenceCases.Routes, ReferenceCases.Names);
        Assert.True(ReferenceCases.Names.Count >= 4, string.Join(", ", ReferenceCases.Names));
        Assert.All(ReferenceCases.Names, n => Assert.NotNull(ReferenceCases.OutputFile(n, "farrington")));
    }

    [Theory]
    [MemberData(nameof(FarringtonCases))]
    public void Farrington_flexible_matches_R(string name)
    {
        var compared = Compare(name, ReferenceCases.OutputFile(name, "farrington")!, "", TrendDetectors.Create("farrington"),
            out var problems);
        Assert.True(problems.Count == 0, $"{problems.Count} rows differ from R:\n" + string.Join('\n', problems.Take(25)));
        Assert.True(compared > 200, $"only {compared} rows compared");
    }

    [Theory]
    [MemberData(nameof(EarsCases))]
    public void Ears_matches_R(string name, string method)
    {
        var compared = Compare(name, ReferenceCases.OutputFile(name, "ears")!, method,
            TrendDetectors.Create("ears-" + method.ToLowerInvariant()), out var problems);
        Assert.True(problems.Count == 0, $"{problems.Count} rows differ from R:\n" + string.Join('\n', problems.Take(25)));
        Assert.True(compared > 200, $"only {compared} rows compared");
    }

    [Fact]
    public void Missing_months_in_the_baseline_are_left_out_as_R_leaves_out_NA_responses()
    {
        // The missing-values case is compared by the same rule as the others; here make sure that rule did
        // compare months whose baseline holds a missing month, and judged none of the missing months.
        const string Name = "missing-values";
        var series = ReferenceCases.Series(Name).ToDictionary(s => s.Name);
        var rows = ReferenceCases.Output(ReferenceCases.OutputFile(Name, "farrington")!);
        var detector = TrendDetectors.Create("farrington");
        var withGapInBaseline = 0;
        foreach (var row in rows)
        {
            var s = series[row.Series];
            var index = IndexOf(s, row.Month);
            var verdict = detector.Evaluate(s.Observed, index);
            if (s.Observed[index] is null)
            {
                Assert.Equal(MonthVerdict.None, verdict);
                continue;
            }

            var window = Enumerable.Range(index - 49, 46).Select(t => s.Observed[t]);
            if (window.Any(v => v is null) && !RecentGap(s, index) && row.UpperBound is not null)
            {
                withGapInBaseline++;
                Assert.True(ReferenceCases.Close(row.UpperBound.Value, verdict.UpperBound!.Value), row.ToString());
            }
        }

        Assert.True(withGapInBaseline > 20, $"only {withGapInBaseline} months with a gap in the baseline");
    }

    /// <summary>Compares a detector with one method's rows of an R output; returns how many rows were compared.</summary>
    private static int Compare(string name, string outputPath, string method, ITrendDetector detector, out List<string> problems)
    {
        var series = ReferenceCases.Series(name).ToDictionary(s => s.Name);
        var rows = ReferenceCases.Output(outputPath).Where(r => r.Method == method).ToList();
        problems = [];
        var compared = 0;
        foreach (var row in rows)
        {
            var s = series[row.Series];
            var index = IndexOf(s, row.Month);
            if (s.Observed[index] != row.Observed)
            {
                problems.Add($"{row.Series} {row.Month}: observed {s.Observed[index]} where R has {row.Observed}");
                continue;
            }

            var verdict = detector.Evaluate(s.Observed, index);
            if (row.Observed is null)
            {
                // A missing month is not judged (R gives NA and, for Farrington, alarm 0).
                if (verdict != MonthVerdict.None)
                {
                    problems.Add($"{row.Series} {row.Month}: missing month judged {verdict}");
                }

                continue;
            }

            if (method == "" && RecentGap(s, index))
            {
                // R's limit54 sum is NA with a missing month among the last four; ours sums what is there.
                continue;
            }

            compared++;
            var boundsAgree = (row.UpperBound, verdict.UpperBound) switch
            {
                (null, null) => true,
                ({ } expected, { } actual) => ReferenceCases.Close(expected, actual),
                _ => false,
            };
            if (!boundsAgree || row.Alarm != verdict.Alarm)
            {
                problems.Add($"{row.Series} {row.Month} observed {row.Observed}: R {Text(row.UpperBound)}/{Text(row.Alarm)}, "
                             + $"C# {Text(verdict.UpperBound)}/{Text(verdict.Alarm)}");
            }
        }

        return compared;
    }

    private static bool RecentGap(CountSeries s, int index) =>
        Enumerable.Range(index - 3, 3).Any(t => t >= 0 && s.Observed[t] is null);

    private static int IndexOf(CountSeries s, string month)
    {
        var day = VrsMsrc.Contracts.Text.Months.Parse(month);
        return (day.Year - s.FirstMonth.Year) * 12 + day.Month - s.FirstMonth.Month;
    }

    private static string Text(double? value) => value?.ToString("R", System.Globalization.CultureInfo.InvariantCulture) ?? "NA";

    private static string Text(bool? value) => value switch { true => "1", false => "0", null => "NA" };
}
