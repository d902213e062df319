-- The hub's schema on PostgreSQL: the same tables as SQLite's migrations 001-004, in PostgreSQL's types.
-- Timestamps stay ISO-8601 text, as on SQLite, so that both stores hand back the same strings and
-- 'vrs-hub migrate-store' copies rows unchanged.

CREATE TABLE nodes (
    state          text PRIMARY KEY,
    enabled        boolean NOT NULL DEFAULT true,
    registered_at  text NOT NULL
);

CREATE TABLE certificates (
    serial             text PRIMARY KEY,
    state              text NOT NULL REFERENCES nodes(state),
    thumbprint         text NOT NULL,
    not_before         text NOT NULL,
    not_after          text NOT NULL,
    issued_at          text NOT NULL,
    revoked_at         text,
    revocation_reason  text
);

-- Every release applied: the primary key is what makes a release count once, whichever hub process got it.
CREATE TABLE releases (
    release_id      text PRIMARY KEY,
    state           text NOT NULL,
    sha256          text NOT NULL,
    received_at     text NOT NULL,
    months          integer NOT NULL,
    months_applied  integer NOT NULL,
    cells           bigint NOT NULL
);

CREATE INDEX releases_by_state ON releases (state, received_at);

CREATE TABLE month_versions (
    state       text NOT NULL,
    month       text NOT NULL,
    tbl         text NOT NULL,
    version     bigint NOT NULL,
    release_id  text NOT NULL,
    PRIMARY KEY (state, tbl, month)
);

-- Published cells, keyed as on SQLite so that a series read (table, measure, states, months) is one index range.
CREATE TABLE cells (
    state    text NOT NULL,
    tbl      text NOT NULL,
    month    text NOT NULL,
    measure  text NOT NULL,
    dim0     text NOT NULL,
    dim1     text NOT NULL,
    dim2     text NOT NULL,
    dim3     text NOT NULL,
    value    bigint NOT NULL,
    PRIMARY KEY (tbl, measure, state, month, dim0, dim1, dim2, dim3)
);

CREATE TABLE corridors (
    code  text PRIMARY KEY,
    name  text NOT NULL
);

CREATE TABLE accounts (
    name           text PRIMARY KEY,
    role           text NOT NULL CHECK (role IN ('state-analyst', 'regional-analyst', 'operator')),
    state          text,
    password_hash  text,
    enabled        boolean NOT NULL DEFAULT true,
    failed_logins  bigint NOT NULL DEFAULT 0,
    locked_until   text,
    created_at     text NOT NULL,
    CHECK ((role = 'state-analyst') = (state IS NOT NULL))
);

CREATE TABLE tokens (
    id          text PRIMARY KEY,
    sha256      text NOT NULL UNIQUE,
    account     text NOT NULL REFERENCES accounts(name),
    kind        text NOT NULL CHECK (kind IN ('api', 'session')),
    label       text NOT NULL,
    created_at  text NOT NULL,
    expires_at  text,
    revoked_at  text
);

-- Append-only, hash-chained (AuditChain). The primary key on seq means two hub processes can never
-- both write entry n: a fork of the chain is refused by the database itself.
CREATE TABLE audit (
    seq        bigint PRIMARY KEY,
    at         text NOT NULL,
    actor      text NOT NULL,
    action     text NOT NULL,
    outcome    text NOT NULL,
    detail     text NOT NULL,
    prev_hash  text NOT NULL,
    hash       text NOT NULL
);

CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;

CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

CREATE TABLE alerts (
    state            text NOT NULL,
    tbl              text NOT NULL,
    measure          text NOT NULL,
    dims             text NOT NULL,
    month            text NOT NULL,
    observed         double precision NOT NULL,
    upperbound       double precision NOT NULL,
    score            double precision NOT NULL,
    method           text NOT NULL,
    persistence      integer NOT NULL,
    states_alarming  integer NOT NULL,
    PRIMARY KEY (state, tbl, measure, dims, month)
);

CREATE INDEX alerts_by_month ON alerts (month, score);

CREATE TABLE alert_runs (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at      text NOT NULL,
    finished_at     text NOT NULL,
    trigger         text NOT NULL,
    series_watched  integer NOT NULL,
    alerts          integer NOT NULL,
    first_month     text NOT NULL,
    last_month      text NOT NULL
);

CREATE TABLE release_chain (
    state           text NOT NULL,
    seq             bigint NOT NULL,
    release_id      text NOT NULL UNIQUE REFERENCES releases(release_id),
    payload_sha256  text NOT NULL,
    prev_hash       text NOT NULL,
    entry_hash      text NOT NULL,
    accepted_at     text NOT NULL,
    PRIMARY KEY (state, seq)
);
