using System.CommandLine;
using System.Globalization;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Contracts.CodeLists;
using VrsMsrc.Hub.Security;

namespace VrsMsrc.Hub.Accounts;

/// <summary>vrs-hub user add | disable | enable | list | token | revoke-token: accounts for the analyst listener.</summary>
internal static class UserCommands
{
    public static Command Create(Option<DirectoryInfo> dataDir)
    {
        var user = new Command("user", "Analyst and operator accounts, and their API tokens");
        user.Subcommands.Add(Add(dataDir));
        user.Subcommands.Add(SetEnabled(dataDir, enabled: false));
        user.Subcommands.Add(SetEnabled(dataDir, enabled: true));
        user.Subcommands.Add(List(dataDir));
        user.Subcommands.Add(Token(dataDir));
        user.Subcommands.Add(RevokeToken(dataDir));
        return user;
    }

    private static Command Add(Option<DirectoryInfo> dataDir)
    {
        var name = new Argument<string>("NAME") { Description = "Account name (a-z, 0-9, '.', '_', '-')" };
        var role = new Option<string>("--role") { Description = "state-analyst, regional-analyst or operator", Required = true };
        role.AcceptOnlyFromAmong(Roles.Names);
        var state = new Option<string?>("--state") { Description = "The state of a state analyst (ISO3)" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of standard input (default: generate one and print it)" };
        var command = new Command("add", "Create an account") { dataDir, name, role, state, passwordStdin };
        command.SetHandler((parse, _) =>
        {
            var admin = AdminContext.Open(parse.GetValue(dataDir)!);
            var iso3 = parse.GetValue(state)?.ToUpperInvariant();
            if (iso3 is not null && (!Codes.Nationalities.Contains(iso3) || iso3.StartsWith("XX", StringComparison.Ordinal)))
            {
                throw new CommandException($"--state '{iso3}' is not an ISO 3166-1 alpha-3 country code");
            }

            var generated = !parse.GetValue(passwordStdin);
            var password = generated ? AccountService.NewPassword() : Console.In.ReadLine() ?? "";
            admin.Accounts.Add(parse.GetValue(name)!, Roles.Parse(parse.GetValue(role)!), iso3, password, admin.Actor);
            Console.WriteLine($"Account {parse.GetValue(name)} ({parse.GetValue(role)}{(iso3 is null ? "" : " of " + iso3)}) created.");
            if (generated)
            {
                Console.WriteLine($"Password (shown once): {password}");
            }

            return Task.FromResult(0);
        });
        return command;
    }

    private static Command SetEnabled(Option<DirectoryInfo> dataDir, bool enabled)
    {
        var name = new Argument<string>("NAME");
        var command = new Command(enabled ? "enable" : "disable",
            enabled ? "Enable an account again; also lifts a lockout" : "Disable an account: its logins, sessions and API tokens are refused from the next call on")
        {
            dataDir, name,
        };
        command.SetHandler((parse, _) =>
        {
            var admin = AdminContext.Open(parse.GetValue(dataDir)!);
            admin.Accounts.SetEnabled(parse.GetValue(name)!, enabled, admin.Actor);
            Console.WriteLine($"Account {parse.GetValue(name)} {(enabled ? "enabled" : "disabled")}.");
            return Task.FromResult(0);
        });
        return command;
    }

    private static Command List(Option<DirectoryInfo> dataDir)
    {
        var format = CommandLine.FormatOption("table", "csv", "json");
        var tokens = new Option<bool>("--tokens") { Description = "List tokens instead of accounts" };
        var command = new Command("list", "Accounts (or, with --tokens, their tokens)") { dataDir, format, tokens };
        command.SetHandler((parse, _) =>
        {
            var admin = AdminContext.Open(parse.GetValue(dataDir)!);
            var store = admin.AccountStore;
            if (parse.GetValue(tokens))
            {
                TabularOutput.Write(Console.Out, parse.GetValue(format)!, ["id", "account", "kind", "label", "created_at", "expires_at", "revoked_at"],
                    store.Tokens(null).Select(t => new object?[] { t.Id, t.Account, t.Kind, t.Label, t.CreatedAt, t.ExpiresAt, t.RevokedAt }));
            }
            else
            {
                TabularOutput.Write(Console.Out, parse.GetValue(format)!, ["name", "role", "state", "enabled", "locked_until", "created_at"],
                    store.List().Select(a => new object?[] { a.Name, a.Role, a.State, a.Enabled, a.LockedUntil, a.CreatedAt }));
            }

            return Task.FromResult(0);
        });
        return command;
    }

    private static Command Token(Option<DirectoryInfo> dataDir)
    {
        var name = new Argument<string>("NAME") { Description = "The account the token acts as" };
        var label = new Option<string>("--label") { Description = "What the token is for", DefaultValueFactory = _ => "api" };
        var days = new Option<int?>("--days") { Description = "Expire after this many days (default: until revoked)" };
        var command = new Command("token", "Create an API token for scripts; it is printed once and stored only as a hash") { dataDir, name, label, days };
        command.SetHandler((parse, _) =>
        {
            var admin = AdminContext.Open(parse.GetValue(dataDir)!);
            var lifetime = parse.GetValue(days) is { } d ? TimeSpan.FromDays(d is > 0 and <= 3650 ? d : throw new CommandException("--days must be 1..3650")) : (TimeSpan?)null;
            var token = admin.Accounts.IssueApiToken(parse.GetValue(name)!, parse.GetValue(label)!, lifetime, admin.Actor);
            Console.WriteLine(token.Secret);
            Console.Error.WriteLine($"Token {token.Id} for {parse.GetValue(name)}{(token.ExpiresAt is { } e ? ", expires " + e.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "")}; revoke with 'vrs-hub user revoke-token {token.Id}'.");
            return Task.FromResult(0);
        });
        return command;
    }

    private static Command RevokeToken(Option<DirectoryInfo> dataDir)
    {
        var id = new Argument<string>("ID") { Description = "Token id, as 'user list --tokens' shows" };
        var command = new Command("revoke-token", "Revoke an API or session token; refused from the next call on") { dataDir, id };
        command.SetHandler((parse, _) =>
        {
            var admin = AdminContext.Open(parse.GetValue(dataDir)!);
            admin.Accounts.RevokeToken(parse.GetValue(id)!, admin.Actor);
            Console.WriteLine($"Token {parse.GetValue(id)} revoked.");
            return Task.FromResult(0);
        });
        return command;
    }
}
