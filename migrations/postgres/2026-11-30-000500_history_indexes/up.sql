-- Sorting by amount within one user's rows, LIMIT-deep instead of a sort of every row: the
-- trailing columns let the date and account filters be checked in the index.
CREATE INDEX transactions_user_amount_idx ON transactions (user_id, amount, id, date, account_id);
-- monthly_sums leaves transfers out; the list's totals count them from this small index (only
-- transfer rows) instead of every row of the period.
CREATE INDEX transactions_user_transfers_idx ON transactions (user_id, date, account_id, category_id)
    WHERE is_transfer;
