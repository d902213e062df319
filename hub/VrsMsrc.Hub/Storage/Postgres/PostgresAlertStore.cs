using Dapper;
using NpgsqlTypes;
using VrsMsrc.Hub.Trends.Alerts;

namespace VrsMsrc.Hub.Storage.Postgres;

/// <summary>Alerts on PostgreSQL. Each hub process runs its own detection passes; a lock orders their replacements.</summary>
internal sealed class PostgresAlertStore(PostgresDatabase database) : IAlertStore
{
    private const string Columns =
        "state AS State, tbl AS TableName, measure AS Measure, dims AS Dims, month AS Month, observed AS Observed, " +
        "upperbound AS UpperBound, method AS Method, persistence AS Persistence, states_alarming AS StatesAlarming, score AS Score";

    public void Replace(IReadOnlyList<TrendAlert> alerts, AlertRun run)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        ArgumentNullException.ThrowIfNull(run);
        using var connection = database.Open();
        using var tx = connection.BeginTransaction();
        AdvisoryLocks.Take(connection, tx, AdvisoryLocks.Alerts, "alerts");
        connection.Execute("DELETE FROM alerts", transaction: tx);
        using (var copy = connection.BeginBinaryImport(
            "COPY alerts (state, tbl, measure, dims, month, observed, upperbound, score, method, persistence, states_alarming) FROM STDIN (FORMAT BINARY)"))
        {
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
        var clauses = new List<string> { "true" };
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
            clauses.Add("state = ANY(@States)");
            parameters.Add("States", filter.States.ToArray());
        }

        parameters.Add("Limit", filter.Limit);
        var where = string.Join(" AND ", clauses);
        using var connection = database.Open();
        var total = connection.ExecuteScalar<int>($"SELECT COUNT(*) FROM alerts WHERE {where}", parameters);
        var rows = connection.Query<AlertRow>(
            $"SELECT {Columns} FROM alerts WHERE {where} ORDER BY score DESC, month, state, tbl, measure, dims LIMIT @Limit", parameters);
        return (rows.Select(r => r.ToAlert()).ToList(), total);
    }

    public AlertRun? LastRun()
    {
        using var connection = database.Open();
        var row = connection.QuerySingleOrDefault<RunRow>(
            """
            SELECT started_at AS StartedAt, finished_at AS FinishedAt, trigger AS Trigger, series_watched AS SeriesWatched,
                   alerts AS Alerts, first_month AS FirstMonth, last_month AS LastMonth
            FROM alert_runs ORDER BY id DESC LIMIT 1
            """);
        return row?.ToRun();
    }

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
        public int Persistence { get; set; }
        public int StatesAlarming { get; set; }
        public double Score { get; set; }

        public TrendAlert ToAlert() => new(State, TableName, Measure, Dims, Month, Observed, UpperBound, Method)
        {
            Persistence = Persistence, StatesAlarming = StatesAlarming, Score = Score,
        };
    }

    private sealed class RunRow
    {
        public string StartedAt { get; set; } = "";
        public string FinishedAt { get; set; } = "";
        public string Trigger { get; set; } = "";
        public int SeriesWatched { get; set; }
        public int Alerts { get; set; }
        public string FirstMonth { get; set; } = "";
        public string LastMonth { get; set; } = "";

        public AlertRun ToRun() => new(
            DateTimeOffset.Parse(StartedAt, System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.Parse(FinishedAt, System.Globalization.CultureInfo.InvariantCulture),
            Trigger, SeriesWatched, Alerts, FirstMonth, LastMonth);
    }
}
