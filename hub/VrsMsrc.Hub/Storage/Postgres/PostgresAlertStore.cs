using System.Data.Common;
using Npgsql;
using NpgsqlTypes;
using VrsMsrc.Hub.Trends.Alerts;

namespace VrsMsrc.Hub.Storage.Postgres;

/// <summary>Alerts on PostgreSQL. Each hub process runs its own detection passes; a lock orders their replacements.</summary>
internal sealed class PostgresAlertStore(PostgresDatabase database) : AlertStoreBase
{
    protected override DbConnection Open(bool readOnly) => database.Open();

    protected override void BeforeReplace(DbConnection connection, DbTransaction tx) =>
        AdvisoryLocks.Take((NpgsqlConnection)connection, (NpgsqlTransaction)tx, AdvisoryLocks.Alerts, "alerts");

    protected override void InsertAlerts(DbConnection connection, DbTransaction tx, IReadOnlyList<TrendAlert> alerts)
    {
        // Binary COPY: one round trip for the whole set, where SQLite's prepared inserts are already local calls.
        using var copy = ((NpgsqlConnection)connection).BeginBinaryImport($"COPY alerts ({InsertColumns}) FROM STDIN (FORMAT BINARY)");
        foreach (var a in alerts)
        {
            copy.StartRow();
            copy.Write(a.State, NpgsqlDbType.Text);
            copy.Write(a.Table, NpgsqlDbType.Text);
            copy.Write(a.Measure, NpgsqlDbType.Text);
            copy.Write(a.Dims, NpgsqlDbType.Text);
            copy.Write(a.Month, NpgsqlDbType.Text);
            copy.Write(a.Observed, NpgsqlDbType.Double);
            copy.Write(a.UpperBound, NpgsqlDbType.Double);
            copy.Write(a.Score, NpgsqlDbType.Double);
            copy.Write(a.Method, NpgsqlDbType.Text);
            copy.Write(a.Persistence, NpgsqlDbType.Integer);
            copy.Write(a.StatesAlarming, NpgsqlDbType.Integer);
        }

        copy.Complete();
    }

    protected override string OneOf(string column, string parameter) => $"{column} = ANY(@{parameter})";
}
