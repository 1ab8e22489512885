-- The amount index in two halves, so that a text search sorted by amount checks its LIKE on the
-- index entries it walks (an index-only scan) and reads a table row only for a match, as SQLite's
-- walk does (migration `amount_index_with_text`): a common word whose matches sit far down the
-- amount order (every income first) otherwise reads each passed row from the table
-- (docs/BENCHMARKS.md, "PostgreSQL's amount index in halves"). A btree entry holds at most
-- 2,704 bytes, and the three columns accept up to 2,700 characters, so only the rows whose texts
-- fit carry them; the others, which only very long notes make, have a small index of their own.
-- A query names a half by its condition exactly as written here (`ledger::amount_order`).
DROP INDEX transactions_user_amount_idx;
CREATE INDEX transactions_user_amount_idx ON transactions (user_id, amount, id, date, account_id)
    INCLUDE (description, merchant, notes)
    WHERE octet_length(description) + COALESCE(octet_length(merchant), 0)
        + COALESCE(octet_length(notes), 0) <= 2000;
CREATE INDEX transactions_user_amount_long_idx
    ON transactions (user_id, amount, id, date, account_id)
    WHERE octet_length(description) + COALESCE(octet_length(merchant), 0)
        + COALESCE(octet_length(notes), 0) > 2000;
