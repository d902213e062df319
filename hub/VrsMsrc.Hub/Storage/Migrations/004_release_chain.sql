-- Per node, the hash chain over the releases the hub accepted, in order of acceptance, with the node's
-- own formula (DESIGN §3.5): its head must equal the head of that node's transparency log.
CREATE TABLE release_chain (
    state           TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    release_id      TEXT NOT NULL UNIQUE REFERENCES releases(release_id),
    payload_sha256  TEXT NOT NULL,
    prev_hash       TEXT NOT NULL,
    entry_hash      TEXT NOT NULL,
    accepted_at     TEXT NOT NULL,
    PRIMARY KEY (state, seq)
);
