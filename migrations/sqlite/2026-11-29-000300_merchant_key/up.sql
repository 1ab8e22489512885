-- The merchant a transaction is with: derived from its merchant column, else from its
-- description (bank noise, numbers and references left out), so that files without a merchant
-- column still have top merchants. NULL: not derived yet (the app derives these rows at start,
-- in Rust, right after migrating); '': nothing to derive it from.
ALTER TABLE transactions ADD COLUMN merchant_key TEXT;
