-- The bytes of each release move out of its outbox row into a table of their own. SQLite rewrites a whole
-- row on every update, and an outbox row changes at least once (pending to delivered, or a failed attempt
-- counted), which rewrote and logged the megabytes of its payload each time: most of the cost of marking
-- a large release delivered (push benchmark, docs/benchmarks.md). Payloads are written once and only
-- emptied by retention.
CREATE TABLE outbox_payloads (
    seq     INTEGER PRIMARY KEY REFERENCES outbox(seq),
    payload BLOB NOT NULL
);

INSERT INTO outbox_payloads (seq, payload) SELECT seq, payload FROM outbox;

ALTER TABLE outbox DROP COLUMN payload;
