-- What left the node (DESIGN §3.5): one entry per payload the hub acknowledged, chained by hash so that
-- a changed, removed or inserted entry shows. The payload bytes stay in the outbox row it points to.
CREATE TABLE transparency_log (
    seq             INTEGER PRIMARY KEY,
    release_id      TEXT NOT NULL UNIQUE,
    outbox_seq      INTEGER NOT NULL UNIQUE REFERENCES outbox(seq),
    payload_sha256  TEXT NOT NULL,
    prev_hash       TEXT NOT NULL,
    entry_hash      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    acknowledged_at TEXT NOT NULL,
    receipt         TEXT NOT NULL
);
