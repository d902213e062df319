using System.CommandLine;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Node.Configuration;

namespace VrsMsrc.Node.Ingest;

/// <summary>vrs-node import: exit 0 when every row was stored, 3 when some were rejected, other codes when none were.</summary>
internal static class ImportCommand
{
    public const int SomeRejected = 3;
    public const int NothingStored = 2;

    public static Command Create(Option<DirectoryInfo> dataDir)
    {
        var file = new Argument<FileInfo>("FILE") { Description = "CSV or JSON Lines file of input format v1" };
        var kind = new Option<string>("--kind") { Description = "What one row is", Required = true };
        kind.AcceptOnlyFromAmong("incidents");
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

            var summary = node.Importer().Import(input.FullName, parse.GetValue(format), node.RejectsDir);
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
                Console.WriteLine($"Rejected rows and every problem found: {summary.RejectsFile}");
            }

            return Task.FromResult(summary.RejectedRows == 0 ? 0 : summary.Stored + summary.Unchanged > 0 ? SomeRejected : NothingStored);
        });
        return command;
    }
}
