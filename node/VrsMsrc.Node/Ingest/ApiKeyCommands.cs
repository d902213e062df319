using System.CommandLine;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Node.Configuration;

namespace VrsMsrc.Node.Ingest;

/// <summary>vrs-node apikey add | revoke | list.</summary>
internal static class ApiKeyCommands
{
    public static Command Create(Option<DirectoryInfo> dataDir)
    {
        var apikey = new Command("apikey", "Keys for case-management systems that use the ingest API");
        var name = new Option<string>("--name") { Description = "Which system the key is for", Required = true };

        var add = new Command("add", "Create a key; it is shown once") { dataDir, name };
        add.SetHandler((parse, _) =>
        {
            var key = Keys(parse, dataDir).Add(parse.GetValue(name)!);
            Console.WriteLine(key);
            Console.Error.WriteLine("Store this key in the calling system now: the node keeps only its hash and cannot show it again.");
            return Task.FromResult(0);
        });

        var revoke = new Command("revoke", "Revoke a key; requests with it are refused at once") { dataDir, name };
        revoke.SetHandler((parse, _) =>
        {
            var keyName = parse.GetValue(name)!;
            if (!Keys(parse, dataDir).Revoke(keyName))
            {
                throw new CommandException($"no live API key named '{keyName}'");
            }

            Console.WriteLine($"API key '{keyName}' revoked.");
            return Task.FromResult(0);
        });

        var format = CommandLine.FormatOption("table", "csv", "json");
        var list = new Command("list", "List keys (names and dates only)") { dataDir, format };
        list.SetHandler((parse, _) =>
        {
            TabularOutput.Write(Console.Out, parse.GetValue(format)!, ["name", "created_at", "revoked_at"],
                Keys(parse, dataDir).List().Select(k => new object?[] { k.Name, k.CreatedAt, k.RevokedAt }));
            return Task.FromResult(0);
        });

        apikey.Subcommands.Add(add);
        apikey.Subcommands.Add(revoke);
        apikey.Subcommands.Add(list);
        return apikey;
    }

    private static ApiKeys Keys(ParseResult parse, Option<DirectoryInfo> dataDir)
    {
        var node = NodeContext.Open(parse.GetValue(dataDir)!);
        return new ApiKeys(node.Database, node.Time);
    }
}
