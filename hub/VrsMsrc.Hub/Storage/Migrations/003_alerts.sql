-- Emerging-trend alerts of the last detection pass (issue 6). Each pass replaces them all, so that a
-- corrected release can withdraw an alert as well as raise one. state '' is a regional series.
CREATE TABLE alerts (
    state            TEXT NOT NULL,
    tbl              TEXT NOT NULL,
    measure          TEXT NOT NULL,
    dims             TEXT NOT NULL,
    month            TEXT NOT NULL,
    observed         REAL NOT NULL,
    upperbound       REAL NOT NULL,
    score            REAL NOT NULL,
    method           TEXT NOT NULL,
    persistence      INTEGER NOT NULL,
    states_alarming  INTEGER NOT NULL,
    PRIMARY KEY (state, tbl, measure, dims, month)
) WITHOUT ROWID;

CREATE INDEX alerts_by_month ON alerts (month, score);

-- Every detection pass, the last one first when read back.
CREATE TABLE alert_runs (
    id              INTEGER PRIMARY KEY,
    started_at      TEXT NOT NULL,
    finished_at     TEXT NOT NULL,
    trigger         TEXT NOT NULL,
    series_watched  INTEGER NOT NULL,
    alerts          INTEGER NOT NULL,
    first_month     TEXT NOT NULL,
    last_month      TEXT NOT NULL
);
