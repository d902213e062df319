namespace VrsMsrc.Hub.Accounts;

/// <summary>What an account may do (DESIGN §5). Stored and typed as the kebab-case names.</summary>
internal enum Role
{
    /// <summary>Analyst of one state: sees other states' data only while the state contributes.</summary>
    StateAnalyst,

    /// <summary>Analyst at the regional office: sees every state's data.</summary>
    RegionalAnalyst,

    /// <summary>Runs the hub: sees everything, and may later administer through the API.</summary>
    Operator,
}

internal static class Roles
{
    public const string StateAnalyst = "state-analyst";
    public const string RegionalAnalyst = "regional-analyst";
    public const string Operator = "operator";

    public static readonly string[] Names = [StateAnalyst, RegionalAnalyst, Operator];

    public static string Name(Role role) => role switch
    {
        Role.StateAnalyst => StateAnalyst,
        Role.RegionalAnalyst => RegionalAnalyst,
        _ => Operator,
    };

    public static Role Parse(string name) => name switch
    {
        StateAnalyst => Role.StateAnalyst,
        RegionalAnalyst => Role.RegionalAnalyst,
        Operator => Role.Operator,
        _ => throw new ArgumentException($"unknown role '{name}'; roles: {string.Join(", ", Names)}", nameof(name)),
    };
}

/// <summary>An account as stored; settable properties because Dapper maps SQLite's loose types onto them.</summary>
internal sealed class AccountRecord
{
    public string Name { get; set; } = "";
    public string Role { get; set; } = "";
    public string? State { get; set; }
    public string? PasswordHash { get; set; }
    public bool Enabled { get; set; }
    public long FailedLogins { get; set; }
    public string? LockedUntil { get; set; }
    public string CreatedAt { get; set; } = "";
}

/// <summary>A token as stored (its secret never is: only the SHA-256).</summary>
internal sealed class TokenRecord
{
    public string Id { get; set; } = "";
    public string Sha256 { get; set; } = "";
    public string Account { get; set; } = "";
    public string Kind { get; set; } = "";
    public string Label { get; set; } = "";
    public string CreatedAt { get; set; } = "";
    public string? ExpiresAt { get; set; }
    public string? RevokedAt { get; set; }
}

/// <summary>Who an authenticated caller is, as every query and the sharing rule see it.</summary>
internal sealed record AnalystIdentity(string Account, Role Role, string? State, string TokenId);
