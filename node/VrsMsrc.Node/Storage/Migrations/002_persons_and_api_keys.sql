-- Migrant and facilitator rows of an incident. A row is identified by its incident and its position
-- among that incident's rows of the same kind in the file that last supplied them: a file lists all
-- rows of the incidents it mentions, and importing it replaces them (a correction), keeping the record
-- key of each position (DESIGN §3.2).
CREATE TABLE migrants (
    incident_ref   TEXT NOT NULL REFERENCES incidents(ref) ON DELETE CASCADE,
    ordinal        INTEGER NOT NULL,
    record_key     INTEGER NOT NULL CHECK (record_key BETWEEN 0 AND 255),
    nationality    TEXT,
    sex            TEXT,
    age_band       TEXT,
    unaccompanied  INTEGER,
    fee_amount     REAL,
    fee_currency   TEXT,
    fee_scope      TEXT,
    payment_method TEXT,
    outcome        TEXT,
    count          INTEGER NOT NULL CHECK (count >= 1),
    PRIMARY KEY (incident_ref, ordinal)
) WITHOUT ROWID;

CREATE TABLE facilitators (
    incident_ref  TEXT NOT NULL REFERENCES incidents(ref) ON DELETE CASCADE,
    ordinal       INTEGER NOT NULL,
    record_key    INTEGER NOT NULL CHECK (record_key BETWEEN 0 AND 255),
    nationality   TEXT,
    sex           TEXT,
    age_band      TEXT,
    role          TEXT,
    cj_stage      TEXT,
    count         INTEGER NOT NULL CHECK (count >= 1),
    PRIMARY KEY (incident_ref, ordinal)
) WITHOUT ROWID;

-- The legs of an incident's journey: consecutive pairs of origin, transits and destination, where both
-- ends are known. Kept up to date by the import so that the legs table needs no string splitting.
CREATE TABLE incident_legs (
    incident_ref  TEXT NOT NULL REFERENCES incidents(ref) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    from_country  TEXT NOT NULL,
    to_country    TEXT NOT NULL,
    PRIMARY KEY (incident_ref, seq)
) WITHOUT ROWID;

-- Keys of case-management systems for the ingest API; only a hash is kept.
CREATE TABLE api_keys (
    name        TEXT PRIMARY KEY,
    key_sha256  TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);

ALTER TABLE imports ADD COLUMN rejects_file TEXT;
