-- The transaction list's text search (`q`, see ledger::search) looks candidates up here instead
-- of scanning every row of the user: an FTS5 index of trigrams, which finds a query anywhere
-- inside a word as the LIKE it narrows for does. It holds no copy of the text (the content is
-- the transactions table itself); the triggers keep it in step with every write, whichever code
-- or cascade (an account's or a user's deletion) makes it.
CREATE VIRTUAL TABLE transactions_fts USING fts5 (
    description, merchant, notes,
    content = 'transactions', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO transactions_fts (transactions_fts) VALUES ('rebuild');

CREATE TRIGGER transactions_fts_insert AFTER INSERT ON transactions
BEGIN
    INSERT INTO transactions_fts (rowid, description, merchant, notes)
    VALUES (NEW.id, NEW.description, NEW.merchant, NEW.notes);
END;

-- An external-content index forgets a row by being told exactly what it indexed for it.
CREATE TRIGGER transactions_fts_delete AFTER DELETE ON transactions
BEGIN
    INSERT INTO transactions_fts (transactions_fts, rowid, description, merchant, notes)
    VALUES ('delete', OLD.id, OLD.description, OLD.merchant, OLD.notes);
END;

-- Only when the searched text changes: categorizing, rules and transfer marks leave it alone.
CREATE TRIGGER transactions_fts_update AFTER UPDATE OF description, merchant, notes ON transactions
BEGIN
    INSERT INTO transactions_fts (transactions_fts, rowid, description, merchant, notes)
    VALUES ('delete', OLD.id, OLD.description, OLD.merchant, OLD.notes);
    INSERT INTO transactions_fts (rowid, description, merchant, notes)
    VALUES (NEW.id, NEW.description, NEW.merchant, NEW.notes);
END;
