using System.CommandLine;

namespace VrsMsrc.Contracts.Cli;

/// <summary>A failure the user can act on: printed as one line on stderr, never as a stack trace.</summary>
public sealed class CommandException(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>Conventions every vrs-node and vrs-hub command shares (DESIGN §6).</summary>
public static class CommandLine
{
    public const string DataDirVariable = "VRS_DATA_DIR";

    /// <summary>
    /// --data-dir, falling back to VRS_DATA_DIR; required one way or the other. Checked by a validator,
    /// not the default, so that --help works without either.
    /// </summary>
    public static Option<DirectoryInfo> DataDirOption()
    {
        var option = new Option<DirectoryInfo>("--data-dir")
        {
            Description = $"Data directory (default: ${DataDirVariable})",
            DefaultValueFactory = _ =>
                Environment.GetEnvironmentVariable(DataDirVariable) is { Length: > 0 } dir ? new DirectoryInfo(dir) : null!,
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<DirectoryInfo?>() is null)
            {
                result.AddError($"no data directory: pass --data-dir or set {DataDirVariable}");
            }
        });
        return option;
    }

    public static Option<string> FormatOption(params string[] formats)
    {
        var option = new Option<string>("--format") { Description = "Output format", DefaultValueFactory = _ => formats[0] };
        option.AcceptOnlyFromAmong(formats);
        return option;
    }

    /// <summary>Runs a command body, turning failures into a one-line reason and a non-zero exit code.</summary>
    public static void SetHandler(this Command command, Func<ParseResult, CancellationToken, Task<int>> body)
    {
        // The assembly, not the process: run as 'dotnet vrs-node.dll' the process is 'dotnet'.
        var program = System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name ?? "vrs";
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                return await body(parse, ct);
            }
            catch (CommandException e)
            {
                await Console.Error.WriteLineAsync($"{program}: {e.Message}");
                return e.ExitCode;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                await Console.Error.WriteLineAsync($"{program}: cancelled");
                return 130;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                await Console.Error.WriteLineAsync($"{program}: {e.Message}");
                return 1;
            }
            catch (Exception e) when (Environment.GetEnvironmentVariable("VRS_DEBUG") is null)
            {
                // Operators get one line; VRS_DEBUG=1 lets the exception through with its stack trace.
                await Console.Error.WriteLineAsync($"{program}: unexpected error ({e.GetType().Name}): {e.Message} (set VRS_DEBUG=1 for details)");
                return 70;
            }
        });
    }

    public static Task<int> RunAsync(RootCommand root, string[] args) => root.Parse(args).InvokeAsync();
}
