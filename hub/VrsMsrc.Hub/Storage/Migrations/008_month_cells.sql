-- One row per (state, month) holding its version and the cells of every table (issue 4). A release carries
-- each month whole, every table at the month's version, and the hub replaces a month whole, never merges:
-- one row per month is the same data as a version row and a block per table, in a tenth of the rows. A
-- 100,000-cell release was 8,360 statements (a version upsert and a block write per table and month) and is
-- now one upsert per month.
-- cells: a JSON object with one member per table, a JSON array of [value, measure, dim0, dim1, dim2, dim3]
-- ('' past the table's width).
CREATE TABLE month_cells (
    state       TEXT NOT NULL,
    month       TEXT NOT NULL,
    version     INTEGER NOT NULL,
    release_id  TEXT NOT NULL,
    cells       TEXT NOT NULL,
    PRIMARY KEY (state, month)
);

-- A month's tables came from the same release unless one was hand-made with only some tables; the newest
-- version's release names the month (SQLite takes the bare release_id from the row holding MAX(version)).
INSERT INTO month_cells (state, month, version, release_id, cells)
SELECT v.state, v.month, MAX(v.version), v.release_id, json_group_object(v.tbl, json(COALESCE(b.cells, '[]')))
FROM month_versions v
LEFT JOIN cell_blocks b ON b.tbl = v.tbl AND b.month = v.month AND b.state = v.state
GROUP BY v.state, v.month;

DROP VIEW cells;
DROP TABLE cell_blocks;
DROP TABLE month_versions;

-- The former tables, as views with their columns, for operators' ad-hoc SQL, the copy to PostgreSQL
-- (vrs-hub migrate-store) and checks that read them.
CREATE VIEW month_versions AS
SELECT m.state AS state, m.month AS month, t.key AS tbl, m.version AS version, m.release_id AS release_id
FROM month_cells m, json_each(m.cells) t;

CREATE VIEW cells AS
SELECT m.state AS state, t.key AS tbl, m.month AS month,
       json_extract(c.value, '$[1]') AS measure,
       json_extract(c.value, '$[2]') AS dim0,
       json_extract(c.value, '$[3]') AS dim1,
       json_extract(c.value, '$[4]') AS dim2,
       json_extract(c.value, '$[5]') AS dim3,
       json_extract(c.value, '$[0]') AS value
FROM month_cells m, json_each(m.cells) t, json_each(t.value) c;
