-- The text index without positions (FTS5 `detail = none`) and without column sizes
-- (`columnsize = 0`): search only asks it which rows hold every trigram of the query, and the
-- LIKE decides (ledger::search), so it needs neither where a trigram stands nor how long a
-- column is. That is a third of the index's size and half of its cost on every insert
-- (docs/BENCHMARKS.md, "Text index without positions"). The triggers of `text_search` stay:
-- they name the table, which is made again under the same name before anything writes.
DROP TABLE transactions_fts;
CREATE VIRTUAL TABLE transactions_fts USING fts5 (
    description, merchant, notes,
    content = 'transactions', content_rowid = 'id', tokenize = 'trigram',
    detail = none, columnsize = 0
);
INSERT INTO transactions_fts (transactions_fts) VALUES ('rebuild');
