-- An anomaly raised for a user, kept so that it has a stable id and the user's "this is fine"
-- survives the next detection run and silences similar ones. What it says (amounts, reason) is
-- recomputed from the ledger on every read.
CREATE TABLE anomalies (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- kind and what it is about, e.g. 'unusual_amount|1234' or 'category_pace|USD|7|2026-03'
    anomaly_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    -- what "similar" means: the merchant, series or category, with its currency
    subject TEXT NOT NULL,
    -- the size (positive minor units) a dismissal accepts
    magnitude BIGINT NOT NULL,
    -- the day it is dated, to find it again
    date DATE NOT NULL,
    dismissed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT anomalies_user_key_unique UNIQUE (user_id, anomaly_key)
);
CREATE INDEX anomalies_user_dismissed ON anomalies (user_id, kind, subject) WHERE dismissed_at IS NOT NULL;
