DROP TRIGGER transactions_monthly_sums_delete ON transactions;
DROP TRIGGER transactions_monthly_sums_update ON transactions;
DROP TRIGGER transactions_monthly_sums_insert ON transactions;
DROP FUNCTION monthly_sums_track();
DROP TABLE monthly_sums;
