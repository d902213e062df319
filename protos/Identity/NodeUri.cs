using System.Text.RegularExpressions;

namespace VrsMsrc.Contracts.Identity;

/// <summary>The single URI SAN that names a node in its certificate: urn:vrs-msrc:node:&lt;ISO3&gt;.</summary>
public static partial class NodeUri
{
    public const string Prefix = "urn:vrs-msrc:node:";

    public static string For(string state) => Prefix + state;

    public static bool TryParse(string uri, out string state)
    {
        var match = Pattern().Match(uri);
        state = match.Success ? match.Groups[1].Value : "";
        return match.Success;
    }

    [GeneratedRegex("^urn:vrs-msrc:node:([A-Z]{3})$")]
    private static partial Regex Pattern();
}
