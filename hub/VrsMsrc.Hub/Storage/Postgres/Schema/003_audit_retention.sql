-- Retention of the audit log (as SQLite's 006): entries may be deleted only up to the anchor, the last
-- deleted entry's sequence number and hash, which the first kept entry names as its previous hash, so
-- that the chain is still verified from there. A prune first appends an 'audit.prune' entry naming it.
CREATE TABLE audit_anchor (
    id    integer PRIMARY KEY CHECK (id = 1),
    seq   bigint NOT NULL,
    hash  text NOT NULL,
    at    text NOT NULL
);

DROP TRIGGER audit_no_update ON audit;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only();

CREATE FUNCTION audit_delete_only_to_anchor() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.seq > COALESCE((SELECT seq FROM audit_anchor WHERE id = 1), 0) THEN
        RAISE EXCEPTION 'the audit log is append-only';
    END IF;
    RETURN OLD;
END;
$$;

CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit FOR EACH ROW EXECUTE FUNCTION audit_delete_only_to_anchor();
