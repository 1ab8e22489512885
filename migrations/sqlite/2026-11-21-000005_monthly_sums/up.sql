-- Money in and out per account, month and category, transfers left out: what reports add up,
-- a few hundred rows for ten years of history instead of every transaction. The triggers below
-- keep it equal to the transactions on every write, whichever code (or cascade) makes it.
CREATE TABLE monthly_sums (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- the first day of the month
    month DATE NOT NULL,
    -- no foreign key: a category's sums move with its transactions when it is deleted
    category_id BIGINT,
    -- sum of the positive amounts
    inflow BIGINT NOT NULL,
    -- sum of the negative amounts
    outflow BIGINT NOT NULL,
    count BIGINT NOT NULL
);
-- NULL (uncategorized) must be one key, not distinct ones.
CREATE UNIQUE INDEX monthly_sums_key ON monthly_sums (account_id, month, COALESCE(category_id, 0));

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

CREATE TRIGGER transactions_monthly_sums_delete AFTER DELETE ON transactions
WHEN NOT OLD.is_transfer
BEGIN
    UPDATE monthly_sums SET
        inflow = inflow - MAX(OLD.amount, 0),
        outflow = outflow - MIN(OLD.amount, 0),
        count = count - 1
    WHERE account_id = OLD.account_id AND month = strftime('%Y-%m-01', OLD.date)
      AND COALESCE(category_id, 0) = COALESCE(OLD.category_id, 0);
    DELETE FROM monthly_sums
    WHERE account_id = OLD.account_id AND month = strftime('%Y-%m-01', OLD.date)
      AND COALESCE(category_id, 0) = COALESCE(OLD.category_id, 0) AND count = 0;
END;

-- An update is the old row taken out and the new one put in.
CREATE TRIGGER transactions_monthly_sums_update
AFTER UPDATE OF account_id, date, category_id, amount, is_transfer ON transactions
BEGIN
    UPDATE monthly_sums SET
        inflow = inflow - MAX(OLD.amount, 0),
        outflow = outflow - MIN(OLD.amount, 0),
        count = count - 1
    WHERE NOT OLD.is_transfer
      AND account_id = OLD.account_id AND month = strftime('%Y-%m-01', OLD.date)
      AND COALESCE(category_id, 0) = COALESCE(OLD.category_id, 0);
    DELETE FROM monthly_sums
    WHERE account_id = OLD.account_id AND month = strftime('%Y-%m-01', OLD.date)
      AND COALESCE(category_id, 0) = COALESCE(OLD.category_id, 0) AND count = 0;
    INSERT INTO monthly_sums (account_id, month, category_id, inflow, outflow, count)
    SELECT NEW.account_id, strftime('%Y-%m-01', NEW.date), NEW.category_id,
           MAX(NEW.amount, 0), MIN(NEW.amount, 0), 1
    WHERE NOT NEW.is_transfer
    ON CONFLICT (account_id, month, COALESCE(category_id, 0)) DO UPDATE SET
        inflow = inflow + excluded.inflow,
        outflow = outflow + excluded.outflow,
        count = count + excluded.count;
END;

INSERT INTO monthly_sums (account_id, month, category_id, inflow, outflow, count)
SELECT account_id, strftime('%Y-%m-01', date), category_id,
       SUM(MAX(amount, 0)), SUM(MIN(amount, 0)), COUNT(*)
FROM transactions WHERE NOT is_transfer
GROUP BY 1, 2, 3;
