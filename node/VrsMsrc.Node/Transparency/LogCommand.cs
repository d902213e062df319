using System.CommandLine;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Node.Configuration;

namespace VrsMsrc.Node.Transparency;

/// <summary>vrs-node log [--verify]: what left this node, and proof that the record of it is intact.</summary>
internal static class LogCommand
{
    public static Command Create(Option<DirectoryInfo> dataDir)
    {
        var verify = new Option<bool>("--verify") { Description = "Recompute the hash chain and re-hash every stored payload (payloads pruned by retention are counted)" };
        var format = CommandLine.FormatOption("table", "csv", "json");
        var command = new Command("log", "List every release the hub acknowledged (the transparency log), or verify it") { dataDir, verify, format };
        command.SetHandler((parse, _) =>
        {
            var log = NodeContext.Open(parse.GetValue(dataDir)!).TransparencyLog;
            if (parse.GetValue(verify))
            {
                Console.WriteLine(Verified(log));
                return Task.FromResult(0);
            }

            TabularOutput.Write(Console.Out, parse.GetValue(format)!,
                ["seq", "release_id", "created_at", "acknowledged_at", "receipt", "payload_sha256", "prev_hash", "entry_hash"],
                log.Entries().Select(e => new object?[] { e.Seq, e.ReleaseId, e.CreatedAt, e.AcknowledgedAt, e.Receipt, e.PayloadSha256, e.PrevHash, e.EntryHash }));
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>What 'log --verify' prints when the log is intact; a break is a <see cref="CommandException"/> naming the entry.</summary>
    public static string Verified(TransparencyLog log)
    {
        var verification = log.Verify();
        if (verification.Break is { } broken)
        {
            throw new CommandException($"transparency log broken at entry {broken.Seq} (release {broken.ReleaseId}): {broken.Reason}");
        }

        var (length, head) = log.Head();
        return verification.PrunedPayloads == 0
            ? $"Transparency log intact: {length} entries, every payload matches its hash; head {head}"
            : $"Transparency log intact: {length} entries, every stored payload matches its hash, "
              + $"{verification.PrunedPayloads} payloads pruned by retention (their hashes checked); head {head}";
    }
}
