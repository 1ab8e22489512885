-- Spending per account, month and merchant: what the dashboard's top merchants add up, a few
-- dozen rows a month instead of every transaction of the period. It counts exactly what the
-- dashboard calls spending at a merchant: money out (negative amounts), transfers left out, rows
-- with a merchant key (NULL: not derived yet; '': naming no one). The bank's merchant is part of
-- the key because the dashboard names a merchant key by the greatest of its merchants, which a
-- sum alone could not keep when rows are deleted. The triggers keep it equal to the
-- transactions on every write, as `monthly_sums`'s do.
CREATE TABLE merchant_sums (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- the first day of the month
    month DATE NOT NULL,
    merchant_key TEXT NOT NULL,
    merchant TEXT,
    -- sum of the negative amounts
    outflow BIGINT NOT NULL,
    count BIGINT NOT NULL
);
-- A NULL merchant must be one key, apart from ''.
CREATE UNIQUE INDEX merchant_sums_key
    ON merchant_sums (account_id, month, merchant_key, (merchant IS NULL), COALESCE(merchant, ''));

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

CREATE TRIGGER transactions_merchant_sums_delete AFTER DELETE ON transactions
WHEN NOT OLD.is_transfer AND OLD.amount < 0 AND OLD.merchant_key <> ''
BEGIN
    UPDATE merchant_sums SET outflow = outflow - OLD.amount, count = count - 1
    WHERE account_id = OLD.account_id AND month = strftime('%Y-%m-01', OLD.date)
      AND merchant_key = OLD.merchant_key AND merchant IS OLD.merchant;
    DELETE FROM merchant_sums
    WHERE account_id = OLD.account_id AND month = strftime('%Y-%m-01', OLD.date)
      AND merchant_key = OLD.merchant_key AND merchant IS OLD.merchant AND count = 0;
END;

-- An update is the old row taken out and the new one put in.
CREATE TRIGGER transactions_merchant_sums_update
AFTER UPDATE OF account_id, date, amount, is_transfer, merchant_key, merchant ON transactions
BEGIN
    UPDATE merchant_sums SET outflow = outflow - OLD.amount, count = count - 1
    WHERE NOT OLD.is_transfer AND OLD.amount < 0 AND OLD.merchant_key <> ''
      AND account_id = OLD.account_id AND month = strftime('%Y-%m-01', OLD.date)
      AND merchant_key = OLD.merchant_key AND merchant IS OLD.merchant;
    DELETE FROM merchant_sums
    WHERE account_id = OLD.account_id AND month = strftime('%Y-%m-01', OLD.date)
      AND merchant_key = OLD.merchant_key AND merchant IS OLD.merchant AND count = 0;
    INSERT INTO merchant_sums (account_id, month, merchant_key, merchant, outflow, count)
    SELECT NEW.account_id, strftime('%Y-%m-01', NEW.date), NEW.merchant_key, NEW.merchant,
           NEW.amount, 1
    WHERE NOT NEW.is_transfer AND NEW.amount < 0 AND NEW.merchant_key <> ''
    ON CONFLICT (account_id, month, merchant_key, (merchant IS NULL), COALESCE(merchant, ''))
    DO UPDATE SET
        outflow = outflow + excluded.outflow,
        count = count + excluded.count;
END;

INSERT INTO merchant_sums (account_id, month, merchant_key, merchant, outflow, count)
SELECT account_id, strftime('%Y-%m-01', date), merchant_key, merchant, SUM(amount), COUNT(*)
FROM transactions WHERE NOT is_transfer AND amount < 0 AND merchant_key <> ''
GROUP BY 1, 2, 3, 4;
