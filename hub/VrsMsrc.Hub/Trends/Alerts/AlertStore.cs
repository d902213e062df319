using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using VrsMsrc.Contracts.Storage;
using VrsMsrc.Hub.Storage;

namespace VrsMsrc.Hub.Trends.Alerts;

/// <summary>Which stored alerts to read: a month range, some states ("" for regional series; none: all).</summary>
internal sealed record AlertFilter(string? From, string? To, IReadOnlyList<string> States, int Limit);

/// <summary>The alerts of the last detection pass and the record of passes.</summary>
internal interface IAlertStore
{
    /// <summary>Replaces every stored alert with those of a pass, and records the pass, atomically.</summary>
    void Replace(IReadOnlyList<TrendAlert> alerts, AlertRun run);

    /// <summary>Alerts best score first, at most the filter's limit, and how many matched before it.</summary>
    (IReadOnlyList<TrendAlert> Alerts, int Total) List(AlertFilter filter);

    AlertRun? LastRun();
}

/// <summary>
/// The alert store's SQL and row mapping, written once: Dapper runs it on SQLite and PostgreSQL alike. Subclasses
/// give the connection and the parts that truly differ (how the set is written, locking, the IN-list form).
/// </summary>
internal abstract class AlertStoreBase : IAlertStore
{
    protected const string InsertColumns =
        "state, tbl, measure, dims, month, observed, upperbound, score, method, persistence, states_alarming";

    private const string Columns =
        "state AS State, tbl AS TableName, measure AS Measure, dims AS Dims, month AS Month, observed AS Observed, " +
        "upperbound AS UpperBound, method AS Method, persistence AS Persistence, states_alarming AS StatesAlarming, score AS Score";

    public void Replace(IReadOnlyList<TrendAlert> alerts, AlertRun run)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        ArgumentNullException.ThrowIfNull(run);
        using var connection = Open(readOnly: false);
        using var tx = connection.BeginTransaction();
        BeforeReplace(connection, tx);
        connection.Execute("DELETE FROM alerts", transaction: tx);
        InsertAlerts(connection, tx, alerts);
        connection.Execute(
            """
            INSERT INTO alert_runs (started_at, finished_at, trigger, series_watched, alerts, first_month, last_month)
            VALUES (@StartedAt, @FinishedAt, @Trigger, @SeriesWatched, @Alerts, @FirstMonth, @LastMonth)
            """,
            new
            {
                StartedAt = run.StartedAt.ToString("O"), FinishedAt = run.FinishedAt.ToString("O"), run.Trigger,
                run.SeriesWatched, run.Alerts, run.FirstMonth, run.LastMonth,
            },
            tx);
        tx.Commit();
    }

    public (IReadOnlyList<TrendAlert> Alerts, int Total) List(AlertFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var parameters = new DynamicParameters();
        var clauses = new List<string> { "1 = 1" };
        if (filter.From is not null)
        {
            clauses.Add("month >= @From");
            parameters.Add("From", filter.From);
        }

        if (filter.To is not null)
        {
            clauses.Add("month <= @To");
            parameters.Add("To", filter.To);
        }

        if (filter.States.Count > 0)
        {
            clauses.Add(OneOf("state", "States"));
            parameters.Add("States", filter.States.ToArray());
        }

        parameters.Add("Limit", filter.Limit);
        var where = string.Join(" AND ", clauses);
        using var connection = Open(readOnly: true);
        var total = connection.ExecuteScalar<int>($"SELECT COUNT(*) FROM alerts WHERE {where}", parameters);
        var rows = connection.Query<AlertRow>(
            $"SELECT {Columns} FROM alerts WHERE {where} ORDER BY score DESC, month, state, tbl, measure, dims LIMIT @Limit", parameters);
        return (rows.Select(r => r.ToAlert()).ToList(), total);
    }

    public AlertRun? LastRun()
    {
        using var connection = Open(readOnly: true);
        var row = connection.QuerySingleOrDefault<RunRow>(
            """
            SELECT started_at AS StartedAt, finished_at AS FinishedAt, trigger AS Trigger, series_watched AS SeriesWatched,
                   alerts AS Alerts, first_month AS FirstMonth, last_month AS LastMonth
            FROM alert_runs ORDER BY id DESC LIMIT 1
            """);
        return row?.ToRun();
    }

    /// <summary>A connection; readOnly where the database can enforce it (SQLite), a hint elsewhere.</summary>
    protected abstract DbConnection Open(bool readOnly);

    /// <summary>Runs first in the replacing transaction: where concurrent passes must be ordered.</summary>
    protected virtual void BeforeReplace(DbConnection connection, DbTransaction tx)
    {
    }

    /// <summary>Writes the new alert set, the bulk path of each database.</summary>
    protected abstract void InsertAlerts(DbConnection connection, DbTransaction tx, IReadOnlyList<TrendAlert> alerts);

    /// <summary>"column is one of the array parameter": Dapper expands a list on SQLite but passes an array to PostgreSQL.</summary>
    protected abstract string OneOf(string column, string parameter);

    /// <summary>Settable, loosely typed rows for Dapper (SQLite hands back longs, PostgreSQL ints: both fit a long).</summary>
    private sealed class AlertRow
    {
        public string State { get; set; } = "";
        public string TableName { get; set; } = "";
        public string Measure { get; set; } = "";
        public string Dims { get; set; } = "";
        public string Month { get; set; } = "";
        public double Observed { get; set; }
        public double UpperBound { get; set; }
        public string Method { get; set; } = "";
        public long Persistence { get; set; }
        public long StatesAlarming { get; set; }
        public double Score { get; set; }

        public TrendAlert ToAlert() => new(State, TableName, Measure, Dims, Month, Observed, UpperBound, Method)
        {
            Persistence = (int)Persistence, StatesAlarming = (int)StatesAlarming, Score = Score,
        };
    }

    private sealed class RunRow
    {
        public string StartedAt { get; set; } = "";
        public string FinishedAt { get; set; } = "";
        public string Trigger { get; set; } = "";
        public long SeriesWatched { get; set; }
        public long Alerts { get; set; }
        public string FirstMonth { get; set; } = "";
        public string LastMonth { get; set; } = "";

        public AlertRun ToRun() => new(
            DateTimeOffset.Parse(StartedAt, System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.Parse(FinishedAt, System.Globalization.CultureInfo.InvariantCulture),
            Trigger, (int)SeriesWatched, (int)Alerts, FirstMonth, LastMonth);
    }
}

/// <summary>Alerts in the hub's SQLite file; the set is written with one prepared insert.</summary>
internal sealed class SqliteAlertStore(HubDatabase database) : AlertStoreBase
{
    private const string Insert =
        $"""
        INSERT INTO alerts ({InsertColumns})
        VALUES ($state, $tbl, $measure, $dims, $month, $observed, $upperbound, $score, $method, $persistence, $states)
        """;

    protected override DbConnection Open(bool readOnly) => database.Open(readOnly);

    protected override void InsertAlerts(DbConnection connection, DbTransaction tx, IReadOnlyList<TrendAlert> alerts)
    {
        using var insert = SqliteDatabase.Prepare((SqliteConnection)connection, (SqliteTransaction)tx, Insert,
            ["$state", "$tbl", "$measure", "$dims", "$month", "$observed", "$upperbound", "$score", "$method", "$persistence", "$states"]);
        foreach (var a in alerts)
        {
            object[] values = [a.State, a.Table, a.Measure, a.Dims, a.Month, a.Observed, a.UpperBound, a.Score, a.Method, a.Persistence, a.StatesAlarming];
            for (var i = 0; i < values.Length; i++)
            {
                insert.Parameters[i].Value = values[i];
            }

            insert.ExecuteNonQuery();
        }
    }

    protected override string OneOf(string column, string parameter) => $"{column} IN @{parameter}";
}
