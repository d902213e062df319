using System.CommandLine;
using VrsMsrc.Contracts.Cli;

namespace VrsMsrc.Contracts.Operations;

/// <summary>'backup DEST' and 'restore SRC' of either service.</summary>
public static class BackupCommands
{
    /// <param name="elsewhere">Why this data directory's database cannot be copied from here (it lives on a server), or null.</param>
    public static Command Backup(BackupPlan plan, Option<DirectoryInfo> dataDir, Func<DirectoryInfo, string?>? elsewhere = null)
    {
        var destination = new Argument<DirectoryInfo>("destination") { Description = "A new or empty directory for the backup" };
        var command = new Command("backup", $"Copy this {plan.Service}'s database, keys, certificates and settings, consistently, while it runs") { destination, dataDir };
        command.SetHandler((parse, _) =>
        {
            var dir = parse.GetValue(dataDir)!.FullName;
            if (elsewhere?.Invoke(parse.GetValue(dataDir)!) is { } reason)
            {
                throw new CommandException(reason);
            }

            if (!File.Exists(Path.Combine(dir, plan.Database)))
            {
                throw new CommandException($"{dir} is not a {plan.Service} data directory (no {plan.Database})");
            }

            var target = parse.GetValue(destination)!.FullName;
            var manifest = DataDirectoryBackup.Create(plan, dir, target, TimeProvider.System);
            Console.WriteLine($"Backed up to {target}: schema {manifest.SchemaVersion}, integrity {manifest.IntegrityCheck}, "
                + string.Join(", ", manifest.Rows.Select(r => $"{r.Value} {r.Key}")) + $"; files: {string.Join(", ", manifest.Files.Select(f => f.Path))}");
            return Task.FromResult(0);
        });
        return command;
    }

    /// <param name="afterRestore">Opens the restored data directory as the service would (migrating its schema) and says what to do next.</param>
    public static Command Restore(BackupPlan plan, Option<DirectoryInfo> dataDir, Func<DirectoryInfo, string> afterRestore)
    {
        var source = new Argument<DirectoryInfo>("source") { Description = "A directory made by 'backup'" };
        var verifyOnly = new Option<bool>("--verify-only") { Description = "Check the backup (hashes, integrity, schema) and restore nothing" };
        var command = new Command("restore", $"Check a backup and restore it into a new {plan.Service} data directory") { source, dataDir, verifyOnly };
        command.SetHandler((parse, _) =>
        {
            var from = parse.GetValue(source)!.FullName;
            if (parse.GetValue(verifyOnly))
            {
                var checkedManifest = DataDirectoryBackup.Verify(plan, from);
                Console.WriteLine($"{from}: intact backup of a {plan.Service} taken {checkedManifest.CreatedAt}, schema {checkedManifest.SchemaVersion}");
                return Task.FromResult(0);
            }

            var into = parse.GetValue(dataDir)!;
            var manifest = DataDirectoryBackup.Restore(plan, from, into.FullName);
            Console.WriteLine($"Restored the backup of {manifest.CreatedAt} into {into.FullName}.");
            Console.WriteLine(afterRestore(into));
            return Task.FromResult(0);
        });
        return command;
    }
}
