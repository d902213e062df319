-- Hub security (issue 5): revocation details, analyst accounts and tokens, the hash-chained audit log.

ALTER TABLE certificates ADD COLUMN revocation_reason TEXT;

-- Analyst and operator accounts. A state analyst belongs to one state; the other roles to none.
CREATE TABLE accounts (
    name             TEXT PRIMARY KEY,
    role             TEXT NOT NULL CHECK (role IN ('state-analyst', 'regional-analyst', 'operator')),
    state            TEXT,
    password_hash    TEXT,
    enabled          INTEGER NOT NULL DEFAULT 1,
    failed_logins    INTEGER NOT NULL DEFAULT 0,
    locked_until     TEXT,
    created_at       TEXT NOT NULL,
    CHECK ((role = 'state-analyst') = (state IS NOT NULL))
);

-- API tokens (for scripts) and session tokens (from a login). Only the SHA-256 of a token is kept:
-- a copy of the database does not let anyone call the API.
CREATE TABLE tokens (
    id          TEXT PRIMARY KEY,
    sha256      TEXT NOT NULL UNIQUE,
    account     TEXT NOT NULL REFERENCES accounts(name),
    kind        TEXT NOT NULL CHECK (kind IN ('api', 'session')),
    label       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT,
    revoked_at  TEXT
);

-- Append-only, hash-chained: hash = SHA-256(prev_hash || canonical text of the entry).
CREATE TABLE audit (
    seq        INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    detail     TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);

-- The application never changes or deletes an entry; these make an accidental attempt fail loudly.
-- They do not stop someone who edits the file: the hash chain is what detects that.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
