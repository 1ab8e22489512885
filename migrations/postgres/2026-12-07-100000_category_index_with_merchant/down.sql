-- Keys cut by the up migration stay cut.
DROP INDEX transactions_category_idx;
CREATE INDEX transactions_category_idx ON transactions (user_id, category_id);
