using System.CommandLine;
using System.Globalization;
using VrsMsrc.Hub.Trends.Detection;

namespace VrsMsrc.Hub.Tests.Detection;

/// <summary>Console.Out and Console.Error are process-wide, so these tests run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SharedConsole
{
    public const string Name = "Detection: console";
}

/// <summary>vrs-hub detect end to end: parse, read the file, run, print.</summary>
[Trait("Category", "Unit")]
[Collection(SharedConsole.Name)]
public sealed class DetectCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vrs-detect-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task<(int Exit, string Out, string Error)> Run(params string[] args)
    {
        var root = new RootCommand { DetectCommand.Create() };
        var (stdout, stderr) = (Console.Out, Console.Error);
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            var exit = await root.Parse(args).InvokeAsync();
            return (exit, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
    }

    private string Write(string text)
    {
        var path = Path.Combine(_dir, "series.csv");
        File.WriteAllText(path, text);
        return path;
    }

    [Theory]
    [InlineData("farrington", "")]
    [InlineData("ears-c3", "C3")]
    public async Task Prints_what_R_prints(string method, string earsMethod)
    {
        const string Case = "nationality-sparse";
        var (exit, output, error) = await Run("detect", "--input", ReferenceCases.SeriesFile(Case), "--method", method);
        Assert.True(exit == 0, error);
        var printed = Path.Combine(_dir, "printed.csv");
        File.WriteAllText(printed, output);

        var kind = earsMethod == "" ? "farrington" : "ears";
        var expected = ReferenceCases.Output(ReferenceCases.OutputFile(Case, kind)!).Where(r => r.Method == earsMethod).ToList();
        var actual = ReferenceCases.Output(printed);
        Assert.Equal(
            earsMethod == "" ? "series,month,observed,upperbound,alarm" : "series,method,month,observed,upperbound,alarm",
            output[..output.IndexOf('\n', StringComparison.Ordinal)].TrimEnd('\r'));
        Assert.Equal(expected.Count, actual.Count);
        foreach (var (e, a) in expected.Zip(actual))
        {
            Assert.Equal((e.Series, e.Method, e.Month, e.Observed, e.Alarm), (a.Series, a.Method, a.Month, a.Observed, a.Alarm));
            Assert.Equal(e.UpperBound is null, a.UpperBound is null);
            Assert.True(e.UpperBound is null || ReferenceCases.Close(e.UpperBound.Value, a.UpperBound!.Value), $"{e} / {a}");
        }
    }

    [Fact]
    public async Task Fills_months_without_a_row_with_zero_and_keeps_missing_months_missing()
    {
        var path = Write("""
            series,month,observed
            A,2013-12,5
            A,2014-01,3
            A,2014-03,NA
            A,2014-04,
            "B, quoted",2014-02,1
            """);
        var (exit, output, error) = await Run("detect", "--input", path, "--method", "ears-c1");
        Assert.True(exit == 0, error);
        Assert.Equal(
            """
            series,method,month,observed,upperbound,alarm
            A,C1,2014-01,3,NA,NA
            A,C1,2014-02,0,NA,NA
            A,C1,2014-03,NA,NA,NA
            A,C1,2014-04,NA,NA,NA
            "B, quoted",C1,2014-02,1,NA,NA

            """.ReplaceLineEndings(), output.ReplaceLineEndings());
    }

    [Fact]
    public async Task From_chooses_the_first_month_printed()
    {
        var path = Write("series,month,observed\n" + string.Join('\n',
            Enumerable.Range(0, 14).Select(i => $"A,{new DateOnly(2013, 1, 1).AddMonths(i):yyyy-MM},{10 + i % 3}")));
        var (exit, output, _) = await Run("detect", "--input", path, "--method", "ears-c1", "--from", "2014-01");
        Assert.Equal(0, exit);
        var lines = output.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.Equal(["A,C1,2014-01,10,13.923249,0", "A,C1,2014-02,11,13.637534,0"], lines[1..]);
    }

    [Theory]
    [InlineData("series,month,observed\nA,2014-01,3\nA,2014-13,4\n", "3: month: '2014-13' is not a month (YYYY-MM)")]
    [InlineData("series,month,observed\nA,2014-01,3\nA,2014-02,-4\n", "3: observed: '-4' is not a count")]
    [InlineData("series,month,observed\nA,2014-01,3\nA,2014-01,4\n", "3: month: 2014-01 appears twice in series 'A'")]
    [InlineData("series,month,observed\nA,2014-01\n", "2: row: 2 fields where the header has 3")]
    [InlineData("series,month,value\nA,2014-01,3\n", "1: header: no 'observed' column")]
    [InlineData("", "1: header: the file is empty")]
    public async Task Reports_a_bad_line_with_file_line_and_field(string text, string reason)
    {
        var path = Write(text);
        var (exit, output, error) = await Run("detect", "--input", path, "--method", "farrington");
        Assert.NotEqual(0, exit);
        Assert.Equal("", output);
        Assert.Contains($"{path}:{reason}", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task Refuses_an_unknown_method_a_bad_month_and_a_missing_file()
    {
        var path = Write("series,month,observed\nA,2014-01,3\n");
        Assert.NotEqual(0, (await Run("detect", "--input", path, "--method", "cusum")).Exit);
        var badMonth = await Run("detect", "--input", path, "--method", "farrington", "--from", "2014");
        Assert.NotEqual(0, badMonth.Exit);
        Assert.Contains("--from: '2014' is not a month (YYYY-MM)", badMonth.Error, StringComparison.Ordinal);
        var missing = await Run("detect", "--input", Path.Combine(_dir, "nope.csv"), "--method", "farrington");
        Assert.NotEqual(0, missing.Exit);
        Assert.Contains("nope.csv: no such file", missing.Error, StringComparison.Ordinal);
    }
}
