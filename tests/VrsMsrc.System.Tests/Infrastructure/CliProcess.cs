using System.Diagnostics;

namespace VrsMsrc.System.Tests.Infrastructure;

/// <summary>
/// Runs vrs-node or vrs-hub as a real child process from the build output beside the tests (the test
/// project references both), so that a test can kill it with SIGKILL at any moment.
/// </summary>
internal static class CliProcess
{
    public static Process Start(string program, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, program + ".dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
    }

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string program, params string[] args)
    {
        using var process = Start(program, args);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
