-- A recurring series found in a user's ledger (one merchant, one direction, one currency), kept
-- so that it has a stable id and the user's choice about it survives the next detection run.
-- The series itself (cadence, amounts, dates) is recomputed from the ledger on every read.
CREATE TABLE recurring_series (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- direction, currency and normalized merchant, e.g. 'out|USD|netflix'
    series_key TEXT NOT NULL,
    -- 'detected' (no choice yet), 'confirmed' or 'dismissed'
    choice TEXT NOT NULL DEFAULT 'detected',
    -- the user's own name for it; NULL shows the merchant
    name TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CONSTRAINT recurring_series_user_key_unique UNIQUE (user_id, series_key)
);
