-- The extension stays: it may have been there before, for something else.
DROP INDEX IF EXISTS transactions_text_idx;
