-- Raw incident records. They never leave the node: only protected release cells do.
-- record_key is drawn once when a ref is first stored and kept across corrections (DESIGN §3.2).
CREATE TABLE incidents (
    ref           TEXT PRIMARY KEY,
    record_key    INTEGER NOT NULL CHECK (record_key BETWEEN 0 AND 255),
    month         TEXT NOT NULL,
    detected_on   TEXT NOT NULL,
    agency        TEXT,
    context       TEXT,
    border_type   TEXT,
    transport_mode TEXT,
    corridor      TEXT,
    origin        TEXT,
    destination   TEXT,
    transits      TEXT,
    nationality   TEXT,
    migrants      INTEGER,
    facilitators  INTEGER,
    dead_missing  INTEGER,
    doc_fraud     TEXT,
    doc_type      TEXT,
    concealment   TEXT,
    stored_at     TEXT NOT NULL
);
CREATE INDEX incidents_month ON incidents(month);

-- Per month: the last released version, and whether contributions changed since.
CREATE TABLE months (
    month     TEXT PRIMARY KEY,
    version   INTEGER NOT NULL DEFAULT 0,
    changed   INTEGER NOT NULL DEFAULT 1
) WITHOUT ROWID;

-- Releases waiting for, or done with, delivery. Written in the same transaction as the release.
CREATE TABLE outbox (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    release_id    TEXT NOT NULL UNIQUE,
    created_at    TEXT NOT NULL,
    months        INTEGER NOT NULL,
    cells         INTEGER NOT NULL,
    payload       BLOB NOT NULL,
    sha256        TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    delivered_at  TEXT,
    receipt       TEXT
);

-- The corridor list last received from the hub, for validating imports offline.
CREATE TABLE corridors (
    code  TEXT PRIMARY KEY,
    name  TEXT NOT NULL
);

CREATE TABLE imports (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    file         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    rows_stored  INTEGER NOT NULL,
    rows_rejected INTEGER NOT NULL,
    imported_at  TEXT NOT NULL
);
