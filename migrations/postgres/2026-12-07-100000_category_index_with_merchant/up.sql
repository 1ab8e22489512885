-- Refund evidence (`ml::direction::Guard`) looks for a user's earlier spending at the merchants
-- of the money in being judged, in their expense categories: the category index carries the
-- merchant key and the day, so it reads those merchants' rows only, not every expense of the
-- user. Keys are held to 100 characters (`ledger::merchants::KEY_CHARS`: PostgreSQL's index
-- entries have a size limit); the few longer ones stored before are cut the same way.
UPDATE transactions SET merchant_key = left(merchant_key, 100) WHERE char_length(merchant_key) > 100;
DROP INDEX transactions_category_idx;
-- The keys are compared byte by byte ("C"), as SQLite's are: the database's own collation would
-- cost a locale comparison for every step of every insert, and refund evidence only asks for
-- equal keys.
CREATE INDEX transactions_category_idx
    ON transactions (user_id, category_id, merchant_key COLLATE "C", date);
