using System.Collections.Frozen;
using System.Reflection;
using VrsMsrc.Contracts.Text;

namespace VrsMsrc.Contracts.CodeLists;

/// <summary>A closed list of codes; lookups ignore case because input format v1 says codes do.</summary>
public sealed class CodeList
{
    private readonly FrozenDictionary<string, (string Code, string Name)> _entries;

    public CodeList(string name, IEnumerable<KeyValuePair<string, string>> codes)
    {
        Name = name;
        _entries = codes.ToFrozenDictionary(c => c.Key, c => (c.Key, c.Value), StringComparer.OrdinalIgnoreCase);
    }

    public string Name { get; }

    /// <summary>Codes and their names, in no particular order.</summary>
    public IEnumerable<(string Code, string Name)> Entries => _entries.Values;

    /// <summary>The canonical spelling of <paramref name="code"/>, or null when it is not on the list.</summary>
    public string? Canonical(string code) => _entries.TryGetValue(code, out var entry) ? entry.Code : null;

    public bool Contains(string code) => _entries.ContainsKey(code);

    internal static CodeList FromResource(string name, string resource) =>
        new(name, ReadResource(resource).Select(r => KeyValuePair.Create(r["code"], r["name"])));

    /// <summary>Several lists in one file with columns list, code, name.</summary>
    internal static IReadOnlyDictionary<string, CodeList> EnumerationsFromResource(string resource) =>
        ReadResource(resource)
            .GroupBy(r => r["list"])
            .ToDictionary(g => g.Key, g => new CodeList(g.Key, g.Select(r => KeyValuePair.Create(r["code"], r["name"]))));

    private static List<Dictionary<string, string>> ReadResource(string resource)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"code list resource {resource} is missing from the build");
        using var reader = new StreamReader(stream);
        var csv = new CsvReader(reader);
        var header = csv.ReadHeader();
        var rows = new List<Dictionary<string, string>>();
        while (csv.ReadRecord() is { } record)
        {
            rows.Add(header.Select((h, i) => (h, record[i])).ToDictionary(x => x.h, x => x.Item2));
        }

        return rows;
    }
}
