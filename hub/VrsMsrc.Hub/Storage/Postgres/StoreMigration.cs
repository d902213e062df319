using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using VrsMsrc.Hub.Audit;

namespace VrsMsrc.Hub.Storage.Postgres;

/// <summary>What a store migration copied, table by table, and the audit chain's head on both sides.</summary>
internal sealed record StoreMigrationReport(IReadOnlyList<(string Table, long Rows)> Tables, long AuditEntries, string AuditHead);

/// <summary>
/// Copies a hub's SQLite store into an empty PostgreSQL database in one transaction (all or nothing):
/// every table row for row with binary COPY, in the order the foreign keys need. Before committing it
/// compares the row count of every table, the audit chain (recomputed on the copy, same head) and each
/// node's release-chain head, so a copy that differs in anything is rolled back, never used.
/// </summary>
internal static class StoreMigration
{
    /// <summary>Parents before children; the columns are read from PostgreSQL's schema, whose names are SQLite's.</summary>
    private static readonly string[] Tables =
        ["nodes", "certificates", "corridors", "releases", "month_versions", "cells", "release_chain", "accounts", "tokens", "audit_anchor", "audit", "alerts", "alert_runs", "node_hello"];

    private static readonly string[] MustBeEmpty = ["nodes", "releases", "accounts", "audit"];

    public static StoreMigrationReport Copy(HubDatabase source, PostgresDatabase target)
    {
        source.Migrate();
        target.Migrate();
        using var from = source.Open(readOnly: true);
        using var to = target.Open();
        using var tx = to.BeginTransaction();
        // Nothing else writes while we copy: a hub serving this database now would be a mistake.
        to.Execute("LOCK TABLE " + string.Join(", ", Tables) + " IN EXCLUSIVE MODE", transaction: tx);
        foreach (var table in MustBeEmpty)
        {
            if (to.ExecuteScalar<long>($"SELECT COUNT(*) FROM {table}", transaction: tx) > 0)
            {
                throw new InvalidDataException($"the PostgreSQL database already holds hub data (table {table} is not empty): migrate into an empty database");
            }
        }

        // The new database starts with the default corridors; the hub's own list replaces them.
        to.Execute("DELETE FROM corridors", transaction: tx);
        var copied = new List<(string Table, long Rows)>();
        foreach (var table in Tables)
        {
            var rows = CopyTable(from, to, tx, table);
            var there = to.ExecuteScalar<long>($"SELECT COUNT(*) FROM {table}", transaction: tx);
            if (there != rows || rows != from.ExecuteScalar<long>($"SELECT COUNT(*) FROM {table}"))
            {
                throw new InvalidDataException($"table {table}: {rows} rows read from SQLite, {there} in PostgreSQL");
            }

            copied.Add((table, rows));
        }

        // alert_runs keeps its ids; its identity continues after them.
        to.Execute("SELECT setval(pg_get_serial_sequence('alert_runs', 'id'), GREATEST(COALESCE(MAX(id), 0), 1), MAX(id) IS NOT NULL) FROM alert_runs", transaction: tx);

        // A pruned log (Retention:AuditDays) verifies from its anchor, which was copied with it.
        var before = AuditChain.Verify(from.Query<AuditEntry>(AuditSql, buffered: false), from.QuerySingleOrDefault<AuditAnchor>(AuditAnchor.ReadSql));
        var after = AuditChain.Verify(
            to.Query<AuditEntry>(AuditSql, transaction: tx, buffered: false), to.QuerySingleOrDefault<AuditAnchor>(AuditAnchor.ReadSql, transaction: tx));
        if (!before.Intact)
        {
            throw new InvalidDataException($"the SQLite audit log is broken at entry {before.Break!.Seq} ({before.Break.Reason}): not migrating it; investigate first");
        }

        if (!after.Intact || after.HeadHash != before.HeadHash || after.Entries != before.Entries)
        {
            throw new InvalidDataException($"the copied audit log differs: {after.Entries} entries, head {after.HeadHash}; SQLite has {before.Entries}, head {before.HeadHash}");
        }

        const string heads = "SELECT state, entry_hash FROM release_chain h WHERE seq = (SELECT MAX(seq) FROM release_chain WHERE state = h.state) ORDER BY state";
        var sourceHeads = from.Query<(string, string)>(heads).ToList();
        var targetHeads = to.Query<(string, string)>(heads, transaction: tx).ToList();
        if (!sourceHeads.SequenceEqual(targetHeads))
        {
            throw new InvalidDataException("the copied release chains end on other heads than SQLite's");
        }

        tx.Commit();
        return new StoreMigrationReport(copied, after.Entries, after.HeadHash);
    }

    private const string AuditSql =
        "SELECT seq AS Seq, at AS At, actor AS Actor, action AS Action, outcome AS Outcome, detail AS Detail, prev_hash AS PrevHash, hash AS Hash FROM audit ORDER BY seq";

    private static long CopyTable(SqliteConnection from, NpgsqlConnection to, NpgsqlTransaction tx, string table)
    {
        var columns = to.Query<(string Name, string Type)>(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @table ORDER BY ordinal_position",
            new { table }, tx).ToList();
        var names = string.Join(", ", columns.Select(c => c.Name));
        using var read = from.CreateCommand();
        read.CommandText = $"SELECT {names} FROM {table}";
        using var reader = read.ExecuteReader();
        using var copy = to.BeginBinaryImport($"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)");
        long rows = 0;
        while (reader.Read())
        {
            copy.StartRow();
            for (var i = 0; i < columns.Count; i++)
            {
                if (reader.IsDBNull(i))
                {
                    copy.WriteNull();
                    continue;
                }

                var value = reader.GetValue(i);
                switch (columns[i].Type)
                {
                    case "boolean":
                        copy.Write(Convert.ToInt64(value, CultureInfo.InvariantCulture) != 0, NpgsqlDbType.Boolean);
                        break;
                    case "bigint":
                        copy.Write(Convert.ToInt64(value, CultureInfo.InvariantCulture), NpgsqlDbType.Bigint);
                        break;
                    case "integer":
                        copy.Write(Convert.ToInt32(value, CultureInfo.InvariantCulture), NpgsqlDbType.Integer);
                        break;
                    case "double precision":
                        copy.Write(Convert.ToDouble(value, CultureInfo.InvariantCulture), NpgsqlDbType.Double);
                        break;
                    case "text":
                        copy.Write(Convert.ToString(value, CultureInfo.InvariantCulture)!, NpgsqlDbType.Text);
                        break;
                    default:
                        throw new InvalidDataException($"{table}.{columns[i].Name}: PostgreSQL type {columns[i].Type} has no conversion from SQLite");
                }
            }

            rows++;
        }

        copy.Complete();
        return rows;
    }
}
