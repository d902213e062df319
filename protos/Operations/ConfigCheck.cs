using System.CommandLine;
using VrsMsrc.Contracts.Cli;

namespace VrsMsrc.Contracts.Operations;

/// <summary>'config check': every setting with its value and source, and every problem, before a service is started with them.</summary>
public static class ConfigCheck
{
    /// <param name="settingsFile">The data directory's settings file (checked to exist, as every command does).</param>
    public static Command Create<T>(Option<DirectoryInfo> dataDir, Func<DirectoryInfo, string> settingsFile, IEnumerable<SettingRule<T>> rules)
        where T : class
    {
        var quiet = new Option<bool>("--quiet") { Description = "Print only the problems" };
        var check = new Command("check", "Check the settings file and VRS_ environment variables; list every effective setting and its source") { dataDir, quiet };
        check.SetHandler((parse, _) =>
        {
            var file = settingsFile(parse.GetValue(dataDir)!);
            var result = SettingsLoader.Check(file, rules, SettingsLoader.Environment());
            if (!parse.GetValue(quiet))
            {
                TabularOutput.Write(Console.Out, "table", ["setting", "value", "source"],
                    result.Effective.Select(e => new object?[] { e.Setting, e.Value ?? "(none)", e.Source }));
            }

            if (result.Problems.Count > 0)
            {
                throw new CommandException(SettingsLoader.Describe(file, result.Problems), SettingsLoader.ConfigurationExitCode);
            }

            Console.WriteLine($"{file}: configuration ok");
            return Task.FromResult(0);
        });
        return new Command("config", "Configuration of this data directory") { check };
    }
}
