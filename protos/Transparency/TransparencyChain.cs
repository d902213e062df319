using System.Security.Cryptography;
using System.Text;

namespace VrsMsrc.Contracts.Transparency;

/// <summary>
/// The one formula both sides chain releases with (DESIGN §3.5), so that the node's log head and the
/// hub's chain head for that node can be compared character for character:
/// entry hash = SHA-256(previous entry hash ‖ payload SHA-256 ‖ UTF-8 release id), the first entry
/// chaining onto 32 zero bytes. Hashes are kept as lower-case hex.
/// </summary>
public static class TransparencyChain
{
    /// <summary>The "previous hash" of the first entry.</summary>
    public static readonly string Genesis = new('0', 64);

    public static string EntryHash(string previousHex, string payloadSha256Hex, string releaseId)
    {
        var previous = Convert.FromHexString(previousHex);
        var payload = Convert.FromHexString(payloadSha256Hex);
        var id = Encoding.UTF8.GetBytes(releaseId);
        var input = new byte[previous.Length + payload.Length + id.Length];
        previous.CopyTo(input, 0);
        payload.CopyTo(input, previous.Length);
        id.CopyTo(input, previous.Length + payload.Length);
        return Convert.ToHexStringLower(SHA256.HashData(input));
    }

    public static string PayloadHash(ReadOnlySpan<byte> payload) => Convert.ToHexStringLower(SHA256.HashData(payload));
}
