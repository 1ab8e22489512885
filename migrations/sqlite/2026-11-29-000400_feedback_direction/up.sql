-- The corrections memory keeps money in and money out apart: a credit the user filed under an
-- expense category (a refund) must not steer that merchant's spending, nor a debit's category
-- its income. Existing memories of income categories can only have come from credits.
-- SQLite cannot change a table's constraints, so the table is rebuilt.
CREATE TABLE category_feedback_new (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- the description reduced to its merchant words: see ml::text::merchant_key
    merchant_key TEXT NOT NULL,
    -- the last description the user categorized under this key, shown as evidence
    example TEXT NOT NULL,
    category_id BIGINT NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
    hits BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    -- remembered from money in (true) or money out (false)
    credit BOOLEAN NOT NULL DEFAULT FALSE,
    CONSTRAINT category_feedback_user_key_unique UNIQUE (user_id, merchant_key, credit)
);
INSERT INTO category_feedback_new
    (id, user_id, merchant_key, example, category_id, hits, updated_at, credit)
    SELECT f.id, f.user_id, f.merchant_key, f.example, f.category_id, f.hits, f.updated_at,
           EXISTS (SELECT 1 FROM categories c WHERE c.id = f.category_id AND c.kind = 'income')
    FROM category_feedback f;
DROP TABLE category_feedback;
ALTER TABLE category_feedback_new RENAME TO category_feedback;
CREATE INDEX category_feedback_category_idx ON category_feedback (category_id);
