DROP TRIGGER transactions_merchant_sums_delete ON transactions;
DROP TRIGGER transactions_merchant_sums_update ON transactions;
DROP TRIGGER transactions_merchant_sums_insert ON transactions;
DROP FUNCTION merchant_sums_track();
DROP TABLE merchant_sums;
