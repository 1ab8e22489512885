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
-- A NULL merchant must be one key, apart from ''; the included columns let the dashboard read
-- the index alone.
CREATE UNIQUE INDEX merchant_sums_key
    ON merchant_sums (account_id, month, merchant_key, (merchant IS NULL), COALESCE(merchant, ''))
    INCLUDE (merchant, outflow, count);

-- Applies one statement's changes: per key, the rows it added minus the rows it removed.
CREATE FUNCTION merchant_sums_track() RETURNS trigger LANGUAGE plpgsql AS $function$
DECLARE
    changes text := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT n.*, 1 AS sign FROM new_rows n'
        WHEN 'DELETE' THEN 'SELECT o.*, -1 AS sign FROM old_rows o'
        -- only the rows whose summed columns changed
        ELSE 'WITH changed AS (
                SELECT id FROM new_rows n JOIN old_rows o USING (id)
                WHERE (n.account_id, n.date, n.amount, n.is_transfer, n.merchant_key, n.merchant)
                      IS DISTINCT FROM
                      (o.account_id, o.date, o.amount, o.is_transfer, o.merchant_key, o.merchant))
              SELECT n.*, 1 AS sign FROM new_rows n JOIN changed USING (id)
              UNION ALL
              SELECT o.*, -1 AS sign FROM old_rows o JOIN changed USING (id)'
    END;
BEGIN
    EXECUTE format($sql$
        WITH changes AS (%s)
        INSERT INTO merchant_sums AS s (account_id, month, merchant_key, merchant, outflow, count)
        SELECT account_id, date_trunc('month', date)::date, merchant_key, merchant,
               SUM(sign * amount), SUM(sign)
        FROM changes
        -- a cascade from a deleted account has already removed its sums
        WHERE NOT is_transfer AND amount < 0 AND merchant_key <> ''
          AND EXISTS (SELECT 1 FROM accounts a WHERE a.id = account_id)
        GROUP BY 1, 2, 3, 4
        -- one lock order for concurrent writers
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (account_id, month, merchant_key, (merchant IS NULL), COALESCE(merchant, ''))
        DO UPDATE SET
            outflow = s.outflow + EXCLUDED.outflow,
            count = s.count + EXCLUDED.count
    $sql$, changes);
    EXECUTE format($sql$
        WITH changes AS (%s)
        DELETE FROM merchant_sums s USING changes c
        WHERE s.count = 0 AND s.account_id = c.account_id
          AND s.month = date_trunc('month', c.date)::date
          AND s.merchant_key = c.merchant_key
          AND s.merchant IS NOT DISTINCT FROM c.merchant
    $sql$, changes);
    RETURN NULL;
END
$function$;

CREATE TRIGGER transactions_merchant_sums_insert AFTER INSERT ON transactions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION merchant_sums_track();
CREATE TRIGGER transactions_merchant_sums_update AFTER UPDATE ON transactions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION merchant_sums_track();
CREATE TRIGGER transactions_merchant_sums_delete AFTER DELETE ON transactions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION merchant_sums_track();

INSERT INTO merchant_sums (account_id, month, merchant_key, merchant, outflow, count)
SELECT account_id, date_trunc('month', date)::date, merchant_key, merchant, SUM(amount), COUNT(*)
FROM transactions WHERE NOT is_transfer AND amount < 0 AND merchant_key <> ''
GROUP BY 1, 2, 3, 4;
