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
-- NULL (uncategorized) must be one key, not distinct ones; the included columns let reports
-- read the index alone.
CREATE UNIQUE INDEX monthly_sums_key ON monthly_sums (account_id, month, COALESCE(category_id, 0))
    INCLUDE (category_id, inflow, outflow, count);

-- Applies one statement's changes: per key, the rows it added minus the rows it removed. Written
-- once for the three kinds of statement, which differ only in where the changed rows come from.
CREATE FUNCTION monthly_sums_track() RETURNS trigger LANGUAGE plpgsql AS $function$
DECLARE
    changes text := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT n.*, 1 AS sign FROM new_rows n'
        WHEN 'DELETE' THEN 'SELECT o.*, -1 AS sign FROM old_rows o'
        -- only the rows whose summed columns changed
        ELSE 'WITH changed AS (
                SELECT id FROM new_rows n JOIN old_rows o USING (id)
                WHERE (n.account_id, n.date, n.category_id, n.amount, n.is_transfer)
                      IS DISTINCT FROM (o.account_id, o.date, o.category_id, o.amount, o.is_transfer))
              SELECT n.*, 1 AS sign FROM new_rows n JOIN changed USING (id)
              UNION ALL
              SELECT o.*, -1 AS sign FROM old_rows o JOIN changed USING (id)'
    END;
BEGIN
    EXECUTE format($sql$
        WITH changes AS (%s)
        INSERT INTO monthly_sums AS s (account_id, month, category_id, inflow, outflow, count)
        SELECT account_id, date_trunc('month', date)::date, category_id,
               SUM(sign * GREATEST(amount, 0)), SUM(sign * LEAST(amount, 0)), SUM(sign)
        FROM changes
        -- a cascade from a deleted account has already removed its sums
        WHERE NOT is_transfer AND EXISTS (SELECT 1 FROM accounts a WHERE a.id = account_id)
        GROUP BY 1, 2, 3
        -- one lock order for concurrent writers
        ORDER BY 1, 2, 3
        ON CONFLICT (account_id, month, COALESCE(category_id, 0)) DO UPDATE SET
            inflow = s.inflow + EXCLUDED.inflow,
            outflow = s.outflow + EXCLUDED.outflow,
            count = s.count + EXCLUDED.count
    $sql$, changes);
    EXECUTE format($sql$
        WITH changes AS (%s)
        DELETE FROM monthly_sums s USING changes c
        WHERE s.count = 0 AND s.account_id = c.account_id
          AND s.month = date_trunc('month', c.date)::date
          AND COALESCE(s.category_id, 0) = COALESCE(c.category_id, 0)
    $sql$, changes);
    RETURN NULL;
END
$function$;

CREATE TRIGGER transactions_monthly_sums_insert AFTER INSERT ON transactions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION monthly_sums_track();
CREATE TRIGGER transactions_monthly_sums_update AFTER UPDATE ON transactions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION monthly_sums_track();
CREATE TRIGGER transactions_monthly_sums_delete AFTER DELETE ON transactions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION monthly_sums_track();

INSERT INTO monthly_sums (account_id, month, category_id, inflow, outflow, count)
SELECT account_id, date_trunc('month', date)::date, category_id,
       SUM(GREATEST(amount, 0)), SUM(LEAST(amount, 0)), COUNT(*)
FROM transactions WHERE NOT is_transfer
GROUP BY 1, 2, 3;
