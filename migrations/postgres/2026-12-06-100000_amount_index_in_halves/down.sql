DROP INDEX transactions_user_amount_long_idx;
DROP INDEX transactions_user_amount_idx;
CREATE INDEX transactions_user_amount_idx ON transactions (user_id, amount, id, date, account_id);
