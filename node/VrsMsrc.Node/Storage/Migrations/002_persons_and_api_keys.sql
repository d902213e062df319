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

-- What each migrant counts with (DESIGN §3.2): an incident's migrant rows when it has any, otherwise the
-- incident's own migrants figure and nationality.
CREATE VIEW migrant_contributions AS
SELECT i.ref AS incident_ref, i.month, i.corridor, i.border_type, i.context, i.transport_mode, i.origin, i.destination,
       i.transits, i.nationality, NULL AS sex, NULL AS age_band, NULL AS unaccompanied, NULL AS fee_amount,
       NULL AS fee_currency, NULL AS fee_scope, i.migrants AS n, i.record_key
FROM incidents i
WHERE i.migrants > 0 AND NOT EXISTS (SELECT 1 FROM migrants m WHERE m.incident_ref = i.ref)
UNION ALL
SELECT i.ref, i.month, i.corridor, i.border_type, i.context, i.transport_mode, i.origin, i.destination,
       i.transits, COALESCE(m.nationality, i.nationality), m.sex, m.age_band, m.unaccompanied, m.fee_amount,
       m.fee_currency, m.fee_scope, m.count, m.record_key
FROM migrants m JOIN incidents i ON i.ref = m.incident_ref;

-- What each facilitator counts with: facilitator rows when the incident has any, otherwise its figure.
CREATE VIEW facilitator_contributions AS
SELECT i.ref AS incident_ref, i.month, i.corridor, i.nationality AS incident_nationality, NULL AS nationality,
       NULL AS sex, NULL AS role, NULL AS cj_stage, i.facilitators AS n, i.record_key
FROM incidents i
WHERE i.facilitators > 0 AND NOT EXISTS (SELECT 1 FROM facilitators f WHERE f.incident_ref = i.ref)
UNION ALL
SELECT i.ref, i.month, i.corridor, i.nationality, f.nationality, f.sex, f.role, f.cj_stage, f.count, f.record_key
FROM facilitators f JOIN incidents i ON i.ref = f.incident_ref;
