-- An import's rows skip the per-row insert triggers: the import's writer keeps the text index,
-- monthly_sums, merchant_sums and ledger_versions in step itself, once per batch of rows with
-- set-based statements in the same transaction (imports::derived), which is what a statement
-- trigger would do if SQLite had them. Per row, these four triggers were most of an import's
-- write (docs/BENCHMARKS.md, "Imports kept in step per batch"). Only the import writes rows
-- carrying an import id; every other insert still goes through the triggers, and updates and
-- deletes of imported rows too. The bodies are the triggers' own, only the WHEN is new.
DROP TRIGGER transactions_fts_insert;
CREATE TRIGGER transactions_fts_insert AFTER INSERT ON transactions
WHEN NEW.import_id IS NULL
BEGIN
    INSERT INTO transactions_fts (rowid, description, merchant, notes)
    VALUES (NEW.id, NEW.description, NEW.merchant, NEW.notes);
END;

DROP TRIGGER transactions_monthly_sums_insert;
CREATE TRIGGER transactions_monthly_sums_insert AFTER INSERT ON transactions
WHEN NOT NEW.is_transfer AND NEW.import_id IS NULL
BEGIN
    INSERT INTO monthly_sums (account_id, month, category_id, inflow, outflow, count)
    VALUES (NEW.account_id, strftime('%Y-%m-01', NEW.date), NEW.category_id,
            MAX(NEW.amount, 0), MIN(NEW.amount, 0), 1)
    ON CONFLICT (account_id, month, COALESCE(category_id, 0)) DO UPDATE SET
        inflow = inflow + excluded.inflow,
        outflow = outflow + excluded.outflow,
        count = count + excluded.count;
END;

DROP TRIGGER transactions_merchant_sums_insert;
CREATE TRIGGER transactions_merchant_sums_insert AFTER INSERT ON transactions
WHEN NOT NEW.is_transfer AND NEW.amount < 0 AND NEW.merchant_key <> '' AND NEW.import_id IS NULL
BEGIN
    INSERT INTO merchant_sums (account_id, month, merchant_key, merchant, outflow, count)
    VALUES (NEW.account_id, strftime('%Y-%m-01', NEW.date), NEW.merchant_key, NEW.merchant,
            NEW.amount, 1)
    ON CONFLICT (account_id, month, merchant_key, (merchant IS NULL), COALESCE(merchant, ''))
    DO UPDATE SET
        outflow = outflow + excluded.outflow,
        count = count + excluded.count;
END;

DROP TRIGGER transactions_ledger_versions_insert;
CREATE TRIGGER transactions_ledger_versions_insert AFTER INSERT ON transactions
WHEN NEW.import_id IS NULL
BEGIN
    INSERT INTO ledger_versions (user_id, version)
    SELECT NEW.user_id, abs(random() / 4) WHERE EXISTS (SELECT 1 FROM users WHERE id = NEW.user_id)
    ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;
