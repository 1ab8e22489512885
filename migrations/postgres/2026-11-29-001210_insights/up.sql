-- An insight said to a user, one per kind, subject and period, kept so that it has a stable id
-- and a dismissal holds for its period. Its sentence and figures are recomputed on every read.
CREATE TABLE insights (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- kind, subject and period, e.g. 'category_change|3|2026-10'
    insight_key TEXT NOT NULL,
    dismissed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT insights_user_key_unique UNIQUE (user_id, insight_key)
);
