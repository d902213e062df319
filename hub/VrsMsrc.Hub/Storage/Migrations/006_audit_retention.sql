-- Retention of the audit log (issue 8). Entries may be deleted only up to the anchor: the last deleted
-- entry's sequence number and hash, which the first kept entry names as its previous hash, so that the
-- chain is still verified from there. A prune first appends an 'audit.prune' entry naming the anchor.
CREATE TABLE audit_anchor (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   INTEGER NOT NULL,
    hash  TEXT NOT NULL,
    at    TEXT NOT NULL
);

DROP TRIGGER audit_no_delete;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
WHEN OLD.seq > COALESCE((SELECT seq FROM audit_anchor WHERE id = 1), 0)
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
