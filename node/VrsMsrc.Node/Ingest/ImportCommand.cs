using System.CommandLine;
using System.Diagnostics;
using Spectre.Console;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Node.Configuration;

namespace VrsMsrc.Node.Ingest;

/// <summary>
/// vrs-node import and delete. Import exits 0 when every row was stored, 3 when some rows were rejected
/// (and reported), 2 when no row could be stored, 1 when the file could not be read at all.
/// </summary>
internal static class ImportCommand
{
    public const int SomeRejected = 3;
    public const int NothingStored = 2;

    public static Command Import(Option<DirectoryInfo> dataDir)
    {
        var file = new Argument<FileInfo>("FILE") { Description = "CSV or JSON Lines file of input format v1" };
        var kind = new Option<string>("--kind") { Description = "What one row is: incidents, migrants or facilitators", Required = true };
        kind.AcceptOnlyFromAmong([.. Importer.Kinds]);
        var format = new Option<string?>("--format") { Description = "csv or jsonl (default: from the file extension)" };
        format.AcceptOnlyFromAmong("csv", "jsonl");
        var command = new Command("import", "Validate and store a file of records") { dataDir, file, kind, format };
        command.SetHandler((parse, _) =>
        {
            var node = NodeContext.Open(parse.GetValue(dataDir)!);
            var input = parse.GetValue(file)!;
            if (!input.Exists)
            {
                throw new CommandException($"{input.FullName}: no such file");
            }

            var importer = node.Importer();
            var summary = WithProgress(input.Name, p => importer.ImportFile(input.FullName, parse.GetValue(kind)!, parse.GetValue(format), p));
            foreach (var problem in summary.Problems.Take(20))
            {
                Console.Error.WriteLine(problem);
            }

            if (summary.Problems.Count > 20)
            {
                Console.Error.WriteLine($"... and {summary.Problems.Count - 20} more problems");
            }

            Console.WriteLine($"{summary.File}: {summary.Stored} rows stored, {summary.Unchanged} unchanged, {summary.RejectedRows} rejected");
            if (summary.RejectsFile is not null)
            {
                Console.WriteLine($"Rejected rows and every problem found: {summary.RejectsFile} (summary beside it)");
            }

            return Task.FromResult(summary.RejectedRows == 0 ? 0 : summary.Stored + summary.Unchanged > 0 ? SomeRejected : NothingStored);
        });
        return command;
    }

    public static Command Delete(Option<DirectoryInfo> dataDir)
    {
        var refs = new Option<FileInfo>("--refs") { Description = "File with one incident ref per line (a header line 'ref' is allowed)", Required = true };
        var command = new Command("delete", "Delete incidents, with their migrant and facilitator rows; their months are released again") { dataDir, refs };
        command.SetHandler((parse, _) =>
        {
            var node = NodeContext.Open(parse.GetValue(dataDir)!);
            var file = parse.GetValue(refs)!;
            if (!file.Exists)
            {
                throw new CommandException($"{file.FullName}: no such file");
            }

            var list = File.ReadLines(file.FullName).Select(l => l.Trim().Trim('"')).Where(l => l.Length > 0 && l != "ref").Distinct().ToList();
            var (deleted, unknown) = node.Importer().Delete(list);
            foreach (var reference in unknown.Take(20))
            {
                Console.Error.WriteLine($"{file.Name}: ref '{reference}': not a stored incident");
            }

            Console.WriteLine($"{file.Name}: {deleted} incidents deleted, {unknown.Count} refs not found");
            return Task.FromResult(unknown.Count == 0 ? 0 : deleted > 0 ? SomeRejected : NothingStored);
        });
        return command;
    }

    /// <summary>A progress bar with rows/s and ETA on a terminal; nothing extra when output is redirected.</summary>
    private static ImportSummary WithProgress(string name, Func<Action<ImportProgress>?, ImportSummary> import)
    {
        if (Console.IsOutputRedirected || Console.IsErrorRedirected)
        {
            return import(null);
        }

        ImportSummary? summary = null;
        var clock = Stopwatch.StartNew();
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(name));
                summary = import(p =>
                {
                    task.MaxValue = Math.Max(1, p.TotalBytes);
                    task.Value = p.Bytes;
                    var rate = p.Rows / Math.Max(clock.Elapsed.TotalSeconds, 0.001);
                    task.Description = Markup.Escape($"{name}: {p.Rows:N0} rows, {rate:N0} rows/s");
                });
            });
        return summary!;
    }
}
