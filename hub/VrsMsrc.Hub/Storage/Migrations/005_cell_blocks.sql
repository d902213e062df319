-- Published cells stored as one block per (table, month, state), not one row per cell (issues 4 and 6).
-- A release replaces whole (state, month, table) blocks anyway, so a 100,000-cell release is a few
-- thousand block writes instead of 100,000 inserts into a composite-key B-tree, and a query reads the
-- blocks of one table and month range by a seek on the primary key.
-- cells: a JSON array of [value, measure, dim0, dim1, dim2, dim3] ('' past the table's width).
CREATE TABLE cell_blocks (
    tbl    TEXT NOT NULL,
    month  TEXT NOT NULL,
    state  TEXT NOT NULL,
    cells  TEXT NOT NULL,
    PRIMARY KEY (tbl, month, state)
);

INSERT INTO cell_blocks (tbl, month, state, cells)
SELECT tbl, month, state, json_group_array(json_array(value, measure, dim0, dim1, dim2, dim3))
FROM cells
GROUP BY tbl, month, state;

DROP TABLE cells;

-- The former one-row-per-cell table, as a view, for operators' ad-hoc SQL and for checks that read it.
CREATE VIEW cells AS
SELECT b.state AS state, b.tbl AS tbl, b.month AS month,
       json_extract(j.value, '$[1]') AS measure,
       json_extract(j.value, '$[2]') AS dim0,
       json_extract(j.value, '$[3]') AS dim1,
       json_extract(j.value, '$[4]') AS dim2,
       json_extract(j.value, '$[5]') AS dim3,
       json_extract(j.value, '$[0]') AS value
FROM cell_blocks b, json_each(b.cells) j;
