using System.Text;
using VrsMsrc.Contracts.Catalogue;

namespace VrsMsrc.Node.Release;

/// <summary>
/// The dimension values met while building a release, each as a small integer: a million records carry
/// only a few hundred distinct codes, so cells are summed under integer keys and a code read from the
/// database becomes a string once per build, not once per record. Not thread-safe: one per worker.
/// </summary>
internal sealed class DimensionIds
{
    /// <summary>The id of <see cref="DimensionValues.Unknown"/>, which stands for an absent value.</summary>
    public const int Unknown = 0;

    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly List<string> _values = [];

    public DimensionIds()
    {
        _lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        Of(DimensionValues.Unknown);
    }

    public string this[int id] => _values[id];

    public int Of(string? value)
    {
        if (value is null)
        {
            return Unknown;
        }

        if (!_ids.TryGetValue(value, out var id))
        {
            id = Add(value);
        }

        return id;
    }

    /// <summary>The id of a UTF-8 value as SQLite hands it over, without making a string for a known value.</summary>
    public int Of(ReadOnlySpan<byte> utf8)
    {
        // Codes are short; a longer value still works, through a string.
        if (utf8.Length > 128)
        {
            return Of(Encoding.UTF8.GetString(utf8));
        }

        Span<char> chars = stackalloc char[128];
        var length = Encoding.UTF8.GetChars(utf8, chars);
        return _lookup.TryGetValue(chars[..length], out var id) ? id : Add(new string(chars[..length]));
    }

    private int Add(string value)
    {
        var id = _values.Count;
        _values.Add(value);
        _ids.Add(value, id);
        return id;
    }
}
