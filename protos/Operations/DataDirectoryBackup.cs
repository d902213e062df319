using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using VrsMsrc.Contracts.Cli;
using VrsMsrc.Contracts.Storage;

namespace VrsMsrc.Contracts.Operations;

public sealed record BackupFile(string Path, long Bytes, string Sha256);

/// <summary>backup.json: what a backup holds, so that a restore can check every byte before it replaces anything.</summary>
public sealed record BackupManifest(string Service, string CreatedAt, string Software, long SchemaVersion, string IntegrityCheck, IReadOnlyDictionary<string, long> Rows, IReadOnlyList<BackupFile> Files);

/// <summary>What a service backs up: its SQLite file, and the files beside it that it cannot run without.</summary>
/// <param name="Files">
/// Paths relative to the data directory; a missing one is skipped (a node not enrolled yet has no
/// certificate). A path ending in '/' stands for every file in that directory.
/// </param>
/// <param name="Tables">Tables whose row counts the manifest records, to compare after a restore.</param>
public sealed record BackupPlan(string Service, string Database, IReadOnlyList<string> Files, IReadOnlyList<string> Tables, Assembly Migrations);

/// <summary>
/// A consistent copy of a data directory while its service runs: the database through SQLite's online
/// backup API (one read transaction, so the copy is one committed state however busy the writers are,
/// and the WAL's committed pages are included), then the key, certificate and settings files, with a
/// manifest of SHA-256 hashes. Restore refuses a damaged or foreign backup and never overwrites a data
/// directory in use.
/// </summary>
public static class DataDirectoryBackup
{
    public const string ManifestName = "backup.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = OwnerOnlyFile | UnixFileMode.UserExecute;

    public static BackupManifest Create(BackupPlan plan, string dataDir, string destination, TimeProvider time)
    {
        if (Directory.Exists(destination) && Directory.EnumerateFileSystemEntries(destination).Any())
        {
            throw new CommandException($"{destination} is not empty: back up into a new directory");
        }

        // The copy holds private keys: readable by the service user only, from the moment it exists.
        CreateDirectory(destination);
        var database = Path.Combine(destination, plan.Database);
        using (var source = SqliteDatabase.Open(Path.Combine(dataDir, plan.Database), readOnly: true))
        using (var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Pooling = false }.ToString()))
        {
            copy.Open();
            source.BackupDatabase(copy);
            // A single file: the copy must not depend on a -wal beside it.
            copy.Execute("PRAGMA journal_mode=DELETE");
        }

        SetOwnerOnly(database);
        var (integrity, rows, schema) = Inspect(database, plan.Tables);
        if (integrity != "ok")
        {
            throw new CommandException($"the copy of {plan.Database} fails SQLite's integrity check: {integrity}");
        }

        var files = new List<BackupFile> { Describe(destination, plan.Database) };
        foreach (var relative in Expand(plan.Files, dataDir).Where(f => File.Exists(Path.Combine(dataDir, f))))
        {
            var target = Path.Combine(destination, relative);
            CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(dataDir, relative), target);
            SetOwnerOnly(target);
            files.Add(Describe(destination, relative));
        }

        var manifest = new BackupManifest(plan.Service, time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture), Protocol.SoftwareVersion, schema, integrity, rows, files);
        var manifestPath = Path.Combine(destination, ManifestName);
        File.WriteAllText(manifestPath, JsonSerializer.Serialize(manifest, Json));
        SetOwnerOnly(manifestPath);
        return manifest;
    }

    /// <summary>Checks a backup completely, then copies it into an empty or new data directory.</summary>
    public static BackupManifest Restore(BackupPlan plan, string source, string dataDir)
    {
        var manifest = Verify(plan, source);
        if (File.Exists(Path.Combine(dataDir, plan.Database)) || manifest.Files.Any(f => File.Exists(Path.Combine(dataDir, f.Path))))
        {
            throw new CommandException($"{dataDir} already holds a {plan.Service}: stop the service and move that directory aside (keep it until the restore is checked), then restore into a new one");
        }

        CreateDirectory(dataDir);
        foreach (var file in manifest.Files)
        {
            var target = Path.Combine(dataDir, file.Path);
            CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(source, file.Path), target);
            SetOwnerOnly(target);
        }

        return manifest;
    }

    /// <summary>The manifest of an intact backup of this service, or a <see cref="CommandException"/> saying what is wrong.</summary>
    public static BackupManifest Verify(BackupPlan plan, string source)
    {
        var manifestPath = Path.Combine(source, ManifestName);
        if (!File.Exists(manifestPath))
        {
            throw new CommandException($"{source} is not a backup: no {ManifestName}");
        }

        var manifest = JsonSerializer.Deserialize<BackupManifest>(File.ReadAllText(manifestPath), Json)
            ?? throw new CommandException($"{manifestPath} is empty");
        if (manifest.Service != plan.Service)
        {
            throw new CommandException($"{source} is a backup of a {manifest.Service}, not of a {plan.Service}");
        }

        foreach (var file in manifest.Files)
        {
            var path = Path.Combine(source, file.Path);
            if (!File.Exists(path))
            {
                throw new CommandException($"{source}: {file.Path} is missing from the backup");
            }

            if (Describe(source, file.Path) != file)
            {
                throw new CommandException($"{source}: {file.Path} is not the file that was backed up (size or SHA-256 differs)");
            }
        }

        var latest = SqliteDatabase.Scripts(plan.Migrations).Max(s => s.Version);
        if (manifest.SchemaVersion > latest)
        {
            throw new CommandException($"{source} has schema {manifest.SchemaVersion}, newer than this software's {latest}: restore with the version that made it ({manifest.Software}) or later");
        }

        var (integrity, rows, _) = Inspect(Path.Combine(source, plan.Database), manifest.Rows.Keys.ToList());
        if (integrity != "ok" || !rows.OrderBy(r => r.Key).SequenceEqual(manifest.Rows.OrderBy(r => r.Key)))
        {
            throw new CommandException($"{source}: {plan.Database} does not check out (integrity: {integrity})");
        }

        return manifest;
    }

    /// <summary>SQLite's integrity check, row counts of the given tables and the schema version of a database file.</summary>
    public static (string Integrity, IReadOnlyDictionary<string, long> Rows, long Schema) Inspect(string database, IReadOnlyList<string> tables)
    {
        using var connection = SqliteDatabase.Open(database, readOnly: true);
        var integrity = string.Join("; ", connection.Query<string>("PRAGMA integrity_check"));
        var rows = tables.ToDictionary(t => t, t => connection.ExecuteScalar<long>($"SELECT COUNT(*) FROM \"{t}\""));
        return (integrity, rows, connection.ExecuteScalar<long>("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    }

    private static IEnumerable<string> Expand(IEnumerable<string> files, string dataDir) => files.SelectMany(f => !f.EndsWith('/')
        ? [f]
        : Directory.Exists(Path.Combine(dataDir, f))
            ? Directory.EnumerateFiles(Path.Combine(dataDir, f)).Order(StringComparer.Ordinal).Select(p => f + Path.GetFileName(p))
            : []);

    private static BackupFile Describe(string root, string relative)
    {
        using var stream = File.OpenRead(Path.Combine(root, relative));
        return new BackupFile(relative.Replace('\\', '/'), stream.Length, Convert.ToHexStringLower(SHA256.HashData(stream)));
    }

    private static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, OwnerOnlyDirectory);
        }
    }

    private static void SetOwnerOnly(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, OwnerOnlyFile);
        }
    }
}
