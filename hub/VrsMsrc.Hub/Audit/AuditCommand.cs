using System.CommandLine;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Hub.Security;

namespace VrsMsrc.Hub.Audit;

/// <summary>vrs-hub audit [--verify]: read the audit log, or check its hash chain end to end.</summary>
internal static class AuditCommand
{
    /// <summary>Exit code of a verification that found the chain broken.</summary>
    public const int Broken = 4;

    public static Command Create(Option<DirectoryInfo> dataDir)
    {
        var verify = new Option<bool>("--verify") { Description = "Recompute the hash chain and report the first entry that does not fit" };
        var after = new Option<long>("--after") { Description = "Only entries after this sequence number", DefaultValueFactory = _ => 0 };
        var actor = new Option<string?>("--actor") { Description = "Only this actor (e.g. node:ITA, user:alice)" };
        var action = new Option<string?>("--action") { Description = "Only actions starting with this (e.g. push, login, query, pki)" };
        var limit = new Option<int>("--limit") { Description = "At most this many entries", DefaultValueFactory = _ => 1000 };
        var format = CommandLine.FormatOption("table", "csv", "json");
        var command = new Command("audit", "Show the audit log, or verify its hash chain") { dataDir, verify, after, actor, action, limit, format };
        command.SetHandler((parse, _) =>
        {
            var admin = AdminContext.Open(parse.GetValue(dataDir)!);
            if (parse.GetValue(verify))
            {
                var result = admin.Audit.Verify();
                if (result.Break is { } broken)
                {
                    var around = admin.Audit.Read(new AuditFilter(broken.Seq - 1, Limit: 1));
                    var entry = around.Count > 0 ? around[0] : null;
                    var what = entry is null ? "" : $" ({entry.At} {entry.Actor} {entry.Action})";
                    throw new CommandException($"audit log broken at entry {broken.Seq}{what}: it {broken.Reason}", Broken);
                }

                Console.WriteLine($"audit log intact: {result.Entries} entries, head {result.HeadHash}");
                return Task.FromResult(0);
            }

            var entries = admin.Audit.Read(new AuditFilter(parse.GetValue(after), parse.GetValue(actor), parse.GetValue(action), parse.GetValue(limit)));
            TabularOutput.Write(Console.Out, parse.GetValue(format)!, ["seq", "at", "actor", "action", "outcome", "detail", "hash"],
                entries.Select(e => new object?[] { e.Seq, e.At, e.Actor, e.Action, e.Outcome, e.Detail, e.Hash }));
            return Task.FromResult(0);
        });
        return command;
    }
}
