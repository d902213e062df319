using System.CommandLine;
using VrsMsrc.Contracts.Catalogue;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Node.Configuration;

namespace VrsMsrc.Node.Release;

/// <summary>vrs-node release and preview.</summary>
internal static class ReleaseCommands
{
    public static Command Release(Option<DirectoryInfo> dataDir)
    {
        var command = new Command("release", "Build the protected release of every changed month and put it in the outbox") { dataDir };
        command.SetHandler((parse, _) =>
        {
            var built = NodeContext.Open(parse.GetValue(dataDir)!).Releases().Release();
            Console.WriteLine(built is null
                ? "Nothing changed since the last release."
                : $"Release {built.Release.ReleaseId}: {built.Release.Months.Count} months, {built.Cells} published cells, {built.Payload.Length} bytes; queued for the hub.");
            return Task.FromResult(0);
        });
        return command;
    }

    public static Command Preview(Option<DirectoryInfo> dataDir)
    {
        var month = new Option<string?>("--month") { Description = "Only this month (YYYY-MM)" };
        var format = CommandLine.FormatOption("table", "csv", "json");
        var command = new Command("preview", "Show exactly the cells the next release would send") { dataDir, month, format };
        command.SetHandler((parse, _) =>
        {
            var built = NodeContext.Open(parse.GetValue(dataDir)!).Releases().Preview();
            var only = parse.GetValue(month);
            var rows = built is null ? [] :
                from m in built.Release.Months
                where only is null || m.Month == only
                from t in m.Tables
                let definition = ReleaseCatalogue.Find(t.Table)!
                from c in t.Cells
                select new object?[]
                {
                    t.Table, m.Month, c.Measure,
                    string.Join(';', definition.Dimensions.Select((d, i) => $"{d}={c.Dims[i]}").Order(StringComparer.Ordinal)),
                    c.Value,
                };
            TabularOutput.Write(Console.Out, parse.GetValue(format)!, ["table", "month", "measure", "dims", "value"], rows);
            return Task.FromResult(0);
        });
        return command;
    }
}
