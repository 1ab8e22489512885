-- The insert triggers as they were: every row, an import's too.
DROP TRIGGER transactions_fts_insert;
CREATE TRIGGER transactions_fts_insert AFTER INSERT ON transactions
BEGIN
    INSERT INTO transactions_fts (rowid, description, merchant, notes)
    VALUES (NEW.id, NEW.description, NEW.merchant, NEW.notes);
END;

DROP TRIGGER transactions_monthly_sums_insert;
CREATE TRIGGER transactions_monthly_sums_insert AFTER INSERT ON transactions
WHEN NOT NEW.is_transfer
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
WHEN NOT NEW.is_transfer AND NEW.amount < 0 AND NEW.merchant_key <> ''
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
BEGIN
    INSERT INTO ledger_versions (user_id, version)
    SELECT NEW.user_id, abs(random() / 4) WHERE EXISTS (SELECT 1 FROM users WHERE id = NEW.user_id)
    ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;
