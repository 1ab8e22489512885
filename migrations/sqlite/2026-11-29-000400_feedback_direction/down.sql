CREATE TABLE category_feedback_old (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    merchant_key TEXT NOT NULL,
    example TEXT NOT NULL,
    category_id BIGINT NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
    hits BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CONSTRAINT category_feedback_user_key_unique UNIQUE (user_id, merchant_key)
);
INSERT OR IGNORE INTO category_feedback_old
    (id, user_id, merchant_key, example, category_id, hits, updated_at)
    SELECT id, user_id, merchant_key, example, category_id, hits, updated_at
    FROM category_feedback ORDER BY credit, id;
DROP TABLE category_feedback;
ALTER TABLE category_feedback_old RENAME TO category_feedback;
CREATE INDEX category_feedback_category_idx ON category_feedback (category_id);
