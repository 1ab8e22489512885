DROP TRIGGER transactions_fts_update;
DROP TRIGGER transactions_fts_delete;
DROP TRIGGER transactions_fts_insert;
DROP TABLE transactions_fts;
