-- Nodes the operator enrolled, and every certificate signed for them.
CREATE TABLE nodes (
    state          TEXT PRIMARY KEY,
    enabled        INTEGER NOT NULL DEFAULT 1,
    registered_at  TEXT NOT NULL
);

CREATE TABLE certificates (
    serial      TEXT PRIMARY KEY,
    state       TEXT NOT NULL REFERENCES nodes(state),
    thumbprint  TEXT NOT NULL,
    not_before  TEXT NOT NULL,
    not_after   TEXT NOT NULL,
    issued_at   TEXT NOT NULL,
    revoked_at  TEXT
);

-- Every release applied, so that a resend is recognised (same id and hash) or refused (other hash).
CREATE TABLE releases (
    release_id    TEXT PRIMARY KEY,
    state         TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    received_at   TEXT NOT NULL,
    months        INTEGER NOT NULL,
    months_applied INTEGER NOT NULL,
    cells         INTEGER NOT NULL
);

-- The version of each (state, month, table) the cells below come from; a release replaces only older ones.
CREATE TABLE month_versions (
    state       TEXT NOT NULL,
    month       TEXT NOT NULL,
    tbl         TEXT NOT NULL,
    version     INTEGER NOT NULL,
    release_id  TEXT NOT NULL,
    PRIMARY KEY (state, tbl, month)
) WITHOUT ROWID;

-- Published cells. Dimension values sit in dim0..dim3 in the catalogue's order ('' past a table's width).
CREATE TABLE cells (
    state    TEXT NOT NULL,
    tbl      TEXT NOT NULL,
    month    TEXT NOT NULL,
    measure  TEXT NOT NULL,
    dim0     TEXT NOT NULL,
    dim1     TEXT NOT NULL,
    dim2     TEXT NOT NULL,
    dim3     TEXT NOT NULL,
    value    INTEGER NOT NULL,
    PRIMARY KEY (tbl, measure, state, month, dim0, dim1, dim2, dim3)
) WITHOUT ROWID;

CREATE TABLE corridors (
    code  TEXT PRIMARY KEY,
    name  TEXT NOT NULL
);
