using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using VrsMsrc.Contracts.Cli;

namespace VrsMsrc.Contracts.Operations;

/// <summary>One wrong setting: its name (sections joined by ':'), where its value came from, and why it is wrong.</summary>
public sealed record SettingProblem(string Setting, string Source, string Reason)
{
    public override string ToString() => $"{Source}: {Setting}: {Reason}";
}

/// <summary>A check of loaded settings: the setting it is about and its problem, or null. Each section adds its own.</summary>
public sealed record SettingRule<T>(string Setting, Func<T, string?> Problem);

/// <summary>One effective setting, for 'config check': its value and the layer that decided it.</summary>
public sealed record EffectiveSetting(string Setting, string? Value, string Source);

/// <summary>The outcome of loading settings: the settings if every one is right, else every problem found.</summary>
public sealed record SettingsResult<T>(T? Settings, IReadOnlyList<SettingProblem> Problems, IReadOnlyList<EffectiveSetting> Effective)
    where T : class;

/// <summary>
/// Settings of a service, in layers (later wins): the defaults in code, an optional appsettings.json in
/// the program's folder (site-wide choices shipped with an installation), the data directory's own file
/// (node.json / hub.json) and environment variables VRS_SECTION__NAME. Every value is checked against the
/// settings type before anything runs, so a typo or a wrong value is reported with its name, its source
/// and the reason, all of them at once, instead of surfacing later as an odd failure.
/// </summary>
public static class SettingsLoader
{
    public const string EnvironmentPrefix = "VRS_";

    /// <summary>Exit code of a command refused for its configuration (sysexits' EX_CONFIG).</summary>
    public const int ConfigurationExitCode = 78;

    /// <summary>VRS_ variables of the command line, not settings.</summary>
    private static readonly HashSet<string> CommandLineVariables = new(StringComparer.OrdinalIgnoreCase) { "DATA_DIR", "DEBUG", "TOKEN" };

    /// <summary>VRS_TEST_… variables are the test harness's (e.g. the test PostgreSQL server), not settings.</summary>
    private const string TestHarnessPrefix = "TEST_";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    /// <summary>Loads and checks; throws a <see cref="CommandException"/> listing every problem.</summary>
    public static T Load<T>(string file, IEnumerable<SettingRule<T>> rules)
        where T : class
    {
        var result = Check(file, rules, Environment());
        return result.Problems.Count == 0
            ? result.Settings!
            : throw new CommandException(Describe(file, result.Problems), ConfigurationExitCode);
    }

    public static string Describe(string file, IReadOnlyList<SettingProblem> problems) =>
        $"{file}: {problems.Count} wrong setting{(problems.Count == 1 ? "" : "s")}:" + string.Concat(problems.Select(p => "\n  " + p));

    /// <summary>The VRS_ variables of this process.</summary>
    public static IReadOnlyDictionary<string, string> Environment() => System.Environment.GetEnvironmentVariables()
        .Cast<DictionaryEntry>()
        .Select(e => (Name: (string)e.Key, Value: e.Value as string ?? ""))
        .Where(e => e.Name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
        .ToDictionary(e => e.Name, e => e.Value);

    public static SettingsResult<T> Check<T>(string file, IEnumerable<SettingRule<T>> rules, IReadOnlyDictionary<string, string> environment)
        where T : class
    {
        var layers = new List<(string Source, IConfiguration Values)>();
        var problems = new List<SettingProblem>();
        var programSettings = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        foreach (var (source, path) in new[] { ($"{programSettings}", programSettings), (Path.GetFileName(file), file) })
        {
            if (path == programSettings && !File.Exists(path))
            {
                continue;
            }

            try
            {
                layers.Add((source, new ConfigurationBuilder().AddJsonFile(path, optional: false).Build()));
            }
            catch (Exception e) when (e is FormatException or InvalidDataException or JsonException or FileNotFoundException)
            {
                problems.Add(new SettingProblem("(file)", source, $"not valid JSON: {e.GetBaseException().Message}"));
            }
        }

        var variables = environment
            .Select(e => (Name: e.Key, Key: e.Key[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal), e.Value))
            .Where(e => !CommandLineVariables.Contains(e.Key) && !e.Key.StartsWith(TestHarnessPrefix, StringComparison.OrdinalIgnoreCase))
            .ToList();
        foreach (var variable in variables)
        {
            layers.Add(($"environment {variable.Name}", new ConfigurationBuilder()
                .AddInMemoryCollection([KeyValuePair.Create<string, string?>(variable.Key, variable.Value)]).Build()));
        }

        // Leaf values, the last layer winning, under the settings type's own spelling of each name.
        var values = new Dictionary<string, (string? Value, string Source, PropertyInfo[] Path)>(StringComparer.OrdinalIgnoreCase);
        var lists = new Dictionary<string, (SortedDictionary<int, string> Items, string Source, PropertyInfo[] Path)>(StringComparer.OrdinalIgnoreCase);
        foreach (var (source, configuration) in layers)
        {
            foreach (var (key, value) in configuration.AsEnumerable().Where(kv => kv.Value is not null || IsNullLeaf(configuration, kv.Key)))
            {
                if (TextListItem(typeof(T), key, value) is { } item)
                {
                    // A layer that gives a list replaces the whole list of the layers below it.
                    if (!lists.TryGetValue(Name(item.Path), out var list) || list.Source != source)
                    {
                        lists[Name(item.Path)] = list = (new SortedDictionary<int, string>(), source, item.Path);
                    }

                    foreach (var (index, text) in item.Items)
                    {
                        list.Items[index] = text;
                    }

                    continue;
                }

                if (Resolve(typeof(T), key) is not { } path)
                {
                    problems.Add(new SettingProblem(key, source, "unknown setting (misspelt, or from another version?)"));
                    continue;
                }

                if (ProblemOfValue(path[^1].PropertyType, value) is { } reason)
                {
                    problems.Add(new SettingProblem(Name(path), source, reason));
                    continue;
                }

                values[Name(path)] = (value, source, path);
            }
        }

        var unreadable = problems.Any(p => p.Setting == "(file)");
        foreach (var required in typeof(T).GetProperties().Where(p => !unreadable && p.GetCustomAttribute<System.Runtime.CompilerServices.RequiredMemberAttribute>() is not null))
        {
            if (!values.ContainsKey(required.Name))
            {
                problems.Add(new SettingProblem(required.Name, Path.GetFileName(file), "missing: this setting is required"));
            }
        }

        if (problems.Any(p => p.Setting == "(file)" || p.Reason.StartsWith("missing", StringComparison.Ordinal)))
        {
            return new SettingsResult<T>(null, problems, []);
        }

        // Lists join the scalar values so that rules and 'config check' name the layer a list came from.
        foreach (var list in lists.Values)
        {
            values[Name(list.Path)] = (null, list.Source, list.Path);
        }

        // The rules judge the valid values (a wrong one keeps its default here), so that one run reports everything.
        var settings = Build<T>(values.Values.Select(v => (v.Path, v.Value)), lists.Values.Select(l => (l.Path, (IReadOnlyCollection<string>)l.Items.Values)));
        foreach (var rule in rules)
        {
            if (rule.Problem(settings) is { } reason)
            {
                var sources = values.Where(v => v.Key.StartsWith(rule.Setting, StringComparison.OrdinalIgnoreCase)).Select(v => v.Value.Source).Distinct().ToList();
                var source = sources.Where(s => s.StartsWith("environment", StringComparison.Ordinal)).DefaultIfEmpty(sources.LastOrDefault() ?? "default");
                problems.Add(new SettingProblem(rule.Setting, string.Join(", ", source), reason));
            }
        }

        return new SettingsResult<T>(problems.Count == 0 ? settings : null, problems, Effective(settings, values));
    }

    /// <summary>
    /// A list of text settings (such as a node's further hub addresses): given in JSON as an array (keys
    /// NAME:0, NAME:1, …) or in one variable as values separated by commas. Null if the key is not one.
    /// </summary>
    private static (PropertyInfo[] Path, IEnumerable<(int Index, string Text)> Items)? TextListItem(Type type, string key, string? value)
    {
        if (Resolve(type, key) is { } whole && IsTextList(whole[^1].PropertyType))
        {
            var texts = (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return (whole, texts.Select((text, i) => (i, text)));
        }

        var colon = key.LastIndexOf(':');
        return colon > 0 && int.TryParse(key[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            && Resolve(type, key[..colon]) is { } path && IsTextList(path[^1].PropertyType) && !string.IsNullOrWhiteSpace(value)
            ? (path, [(index, value.Trim())])
            : null;
    }

    private static bool IsTextList(Type type) =>
        type != typeof(string) && typeof(IEnumerable<string>).IsAssignableFrom(type) && type.IsAssignableFrom(typeof(string[]));

    private static bool IsNullLeaf(IConfiguration configuration, string key) => !configuration.GetSection(key).GetChildren().Any();

    /// <summary>The property path a configuration key names, or null if the settings type has no such setting.</summary>
    private static PropertyInfo[]? Resolve(Type type, string key)
    {
        var path = new List<PropertyInfo>();
        foreach (var part in key.Split(':'))
        {
            var property = Settable(type).FirstOrDefault(p => string.Equals(p.Name, part, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                return null;
            }

            path.Add(property);
            type = property.PropertyType;
        }

        return [.. path];
    }

    private static IEnumerable<PropertyInfo> Settable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true });

    private static string Name(PropertyInfo[] path) => string.Join(':', path.Select(p => p.Name));

    private static bool IsScalar(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(TimeSpan);
    }

    private static string? ProblemOfValue(Type type, string? value)
    {
        if (!IsScalar(type))
        {
            return value is null or "" ? null : $"'{value}' given, but this is a section: set its settings, e.g. {type.Name}:NAME";
        }

        if (string.IsNullOrEmpty(value))
        {
            return type == typeof(string) || Nullable.GetUnderlyingType(type) is not null ? null : $"empty, but a {Expected(type)} is needed";
        }

        return Parse(type, value) is null ? $"'{value}' is not a {Expected(type)}" : null;
    }

    private static JsonValue? Parse(Type type, string value)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        var invariant = CultureInfo.InvariantCulture;
        return t == typeof(string) ? JsonValue.Create(value)
            : t == typeof(int) ? int.TryParse(value, NumberStyles.Integer, invariant, out var i) ? JsonValue.Create(i) : null
            : t == typeof(long) ? long.TryParse(value, NumberStyles.Integer, invariant, out var l) ? JsonValue.Create(l) : null
            : t == typeof(double) ? double.TryParse(value, NumberStyles.Float, invariant, out var d) && double.IsFinite(d) ? JsonValue.Create(d) : null
            : t == typeof(bool) ? bool.TryParse(value, out var b) ? JsonValue.Create(b) : null
            : t == typeof(TimeSpan) ? TimeSpan.TryParse(value, invariant, out var s) ? JsonValue.Create(s.ToString("c", invariant)) : null
            : t.IsEnum ? Enum.TryParse(t, value, ignoreCase: true, out var e) ? JsonValue.Create(e.ToString()) : null
            : null;
    }

    private static string Expected(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(int) || t == typeof(long) => "whole number",
        var t when t == typeof(double) => "number (with a '.' for decimals)",
        var t when t == typeof(bool) => "true or false",
        var t when t == typeof(TimeSpan) => "duration like 00:05:00 (hours:minutes:seconds) or 2.00:00:00 (days)",
        var t when t.IsEnum => "one of " + string.Join(", ", Enum.GetNames(t)),
        _ => "text",
    };

    /// <summary>The settings object from the checked values; what no layer sets keeps its default in code.</summary>
    private static T Build<T>(IEnumerable<(PropertyInfo[] Path, string? Value)> values, IEnumerable<(PropertyInfo[] Path, IReadOnlyCollection<string> Items)> lists)
    {
        var root = new JsonObject();
        foreach (var (path, items) in lists)
        {
            Section(root, path)[path[^1].Name] = new JsonArray([.. items.Select(i => (JsonNode)JsonValue.Create(i))]);
        }

        foreach (var (path, value) in values)
        {
            if (string.IsNullOrEmpty(value) && !IsScalar(path[^1].PropertyType))
            {
                continue; // an empty section: its settings keep their defaults
            }

            Section(root, path)[path[^1].Name] = string.IsNullOrEmpty(value) ? null : Parse(path[^1].PropertyType, value);
        }

        return root.Deserialize<T>(Json)!;

        static JsonObject Section(JsonObject root, PropertyInfo[] path)
        {
            var node = root;
            foreach (var section in path[..^1])
            {
                node = (JsonObject)(node[section.Name] ??= new JsonObject());
            }

            return node;
        }
    }

    /// <summary>Every scalar setting with its value and where it came from ("default" for code's own).</summary>
    private static List<EffectiveSetting> Effective<T>(T settings, Dictionary<string, (string? Value, string Source, PropertyInfo[] Path)> values)
    {
        var result = new List<EffectiveSetting>();
        Walk(typeof(T), settings, "");
        return result;

        void Walk(Type type, object? instance, string prefix)
        {
            foreach (var property in Settable(type))
            {
                var name = prefix + property.Name;
                var value = instance is null ? null : property.GetValue(instance);
                if (IsScalar(property.PropertyType) || IsTextList(property.PropertyType))
                {
                    var text = value switch
                    {
                        null => null,
                        IEnumerable<string> list => string.Join(',', list),
                        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
                        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
                        _ => value.ToString(),
                    };
                    result.Add(new EffectiveSetting(name, text, values.TryGetValue(name, out var v) ? v.Source : "default"));
                }
                else
                {
                    Walk(property.PropertyType, value, name + ":");
                }
            }
        }
    }

    /// <summary>Writes the data directory's settings file (what 'init' chose), without the environment's overrides.</summary>
    public static void Save<T>(T settings, string file) => File.WriteAllText(file, JsonSerializer.Serialize(settings, Json));
}
