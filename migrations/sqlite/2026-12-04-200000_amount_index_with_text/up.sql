-- The amount index also carries the three searched columns, so a text search sorted by amount
-- checks its LIKE on the index entries it walks and reads a table row only for a match: SQLite
-- reads every column the index holds from the index (a deferred seek). A common word whose
-- matches sit far down the amount order (every income first) otherwise reads each passed row
-- from the table at random (docs/BENCHMARKS.md, "A covering amount index"). It replaces the
-- index of `history_indexes`, whose columns it starts with, so the other reads by amount keep it.
DROP INDEX transactions_user_amount_idx;
CREATE INDEX transactions_user_amount_idx
    ON transactions (user_id, amount, id, date, account_id, description, merchant, notes);
