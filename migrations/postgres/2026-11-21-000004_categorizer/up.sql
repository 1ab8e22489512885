-- What the categorizer suggested for a transaction it was not sure enough to categorize.
ALTER TABLE transactions
    ADD COLUMN suggested_category_id BIGINT REFERENCES categories (id) ON DELETE SET NULL;

-- Per-user learning: the category a user last gave each merchant, and how many times in a row
-- they gave it. Kept in the database so every server instance predicts the same.
CREATE TABLE category_feedback (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- the description reduced to its merchant words: see ml::text::merchant_key
    merchant_key TEXT NOT NULL,
    -- the last description the user categorized under this key, shown as evidence
    example TEXT NOT NULL,
    category_id BIGINT NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
    hits BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CONSTRAINT category_feedback_user_key_unique UNIQUE (user_id, merchant_key)
);
CREATE INDEX category_feedback_category_idx ON category_feedback (category_id);
