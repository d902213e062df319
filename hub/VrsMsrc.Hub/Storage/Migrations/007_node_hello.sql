-- What each node said at its last Hello: its software and how many releases were waiting in its outbox,
-- for the operators' node status (the dashboard). One row per state, replaced at every Hello.
CREATE TABLE node_hello (
    state              TEXT PRIMARY KEY,
    at                 TEXT NOT NULL,
    software_version   TEXT NOT NULL,
    code_lists_version TEXT NOT NULL,
    outbox_depth       INTEGER NOT NULL
);
