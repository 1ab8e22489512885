-- Back to the index with positions of `text_search`.
DROP TABLE transactions_fts;
CREATE VIRTUAL TABLE transactions_fts USING fts5 (
    description, merchant, notes,
    content = 'transactions', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO transactions_fts (transactions_fts) VALUES ('rebuild');
