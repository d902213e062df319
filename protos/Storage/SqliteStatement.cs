using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace VrsMsrc.Contracts.Storage;

/// <summary>
/// A prepared statement driven through SQLite's own API: parameters bound by position (1-based, as in
/// SQLite), columns read by position (0-based), text columns readable as UTF-8 bytes. Only the bulk paths
/// use it (an import of a million rows, a release over the whole history): Microsoft.Data.Sqlite looks
/// every parameter up by name on every execution and decodes every text column into a new string,
/// which costs more than SQLite's own work there. It runs inside whatever transaction the connection
/// has open.
/// </summary>
public sealed class SqliteStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    public SqliteStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("the connection is not open");
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
    }

    public void Bind(int index, string? value) =>
        Check(value is null ? raw.sqlite3_bind_null(_statement, index) : raw.sqlite3_bind_text(_statement, index, value));

    /// <summary>Binds text already encoded as UTF-8, without making a string of it first.</summary>
    public void BindUtf8(int index, ReadOnlySpan<byte> text) => Check(raw.sqlite3_bind_text(_statement, index, text));

    public void Bind(int index, long? value) =>
        Check(value is { } v ? raw.sqlite3_bind_int64(_statement, index, v) : raw.sqlite3_bind_null(_statement, index));

    public void Bind(int index, double? value) =>
        Check(value is { } v ? raw.sqlite3_bind_double(_statement, index, v) : raw.sqlite3_bind_null(_statement, index));

    /// <summary>Binds a value as Microsoft.Data.Sqlite would: null, text, integer (bools as 0/1) or real.</summary>
    public void BindObject(int index, object? value)
    {
        switch (value)
        {
            case null or DBNull:
                Check(raw.sqlite3_bind_null(_statement, index));
                break;
            case string s:
                Bind(index, s);
                break;
            case bool b:
                Bind(index, b ? 1L : 0L);
                break;
            case long or int:
                Bind(index, Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case double d:
                Bind(index, d);
                break;
            default:
                throw new ArgumentException($"cannot bind a {value.GetType().Name}", nameof(value));
        }
    }

    /// <summary>Runs a statement that returns no rows; the number of rows it inserted, updated or deleted.</summary>
    public int Execute()
    {
        var rc = raw.sqlite3_step(_statement);
        raw.sqlite3_reset(_statement);
        if (rc != raw.SQLITE_DONE && rc != raw.SQLITE_ROW)
        {
            Check(rc);
        }

        return raw.sqlite3_changes(_db);
    }

    /// <summary>Steps to the next row; false (and ready to run again) after the last.</summary>
    public bool Read()
    {
        var rc = raw.sqlite3_step(_statement);
        if (rc == raw.SQLITE_ROW)
        {
            return true;
        }

        raw.sqlite3_reset(_statement);
        if (rc != raw.SQLITE_DONE)
        {
            Check(rc);
        }

        return false;
    }

    /// <summary>Ends a read before its last row, so the statement can run again.</summary>
    public void Reset() => raw.sqlite3_reset(_statement);

    public bool IsNull(int column) => raw.sqlite3_column_type(_statement, column) == raw.SQLITE_NULL;

    public long GetInt64(int column) => raw.sqlite3_column_int64(_statement, column);

    public double GetDouble(int column) => raw.sqlite3_column_double(_statement, column);

    /// <summary>A text column's bytes, valid until the next step; no string is made.</summary>
    public ReadOnlySpan<byte> Utf8(int column) => raw.sqlite3_column_blob(_statement, column);

    public string? Text(int column) => IsNull(column) ? null : raw.sqlite3_column_text(_statement, column).utf8_to_string();

    public void Dispose() => _statement.Dispose();

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException($"SQLite Error {rc}: '{raw.sqlite3_errmsg(_db).utf8_to_string()}'.", rc);
        }
    }
}
