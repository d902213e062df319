-- What each node said at its last Hello: its software and how many releases were waiting in its outbox,
-- for the operators' node status (the dashboard). One row per state, replaced at every Hello.
CREATE TABLE node_hello (
    state              text PRIMARY KEY,
    at                 text NOT NULL,
    software_version   text NOT NULL,
    code_lists_version text NOT NULL,
    outbox_depth       bigint NOT NULL
);
