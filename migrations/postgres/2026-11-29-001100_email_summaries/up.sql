-- Which email summaries a user wants and on which day (UTC). Off until the user turns one on.
CREATE TABLE summary_settings (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    weekly BOOLEAN NOT NULL DEFAULT FALSE,
    -- ISO weekday the weekly summary goes out on: 1 = Monday … 7 = Sunday
    weekly_day INTEGER NOT NULL DEFAULT 1,
    -- the day it was last turned on: periods that fell due before are not sent
    weekly_since DATE,
    monthly BOOLEAN NOT NULL DEFAULT FALSE,
    -- day of the month the monthly summary goes out on (1–31, the month's last day when shorter)
    monthly_day INTEGER NOT NULL DEFAULT 1,
    monthly_since DATE,
    updated_at TIMESTAMP NOT NULL,
    CONSTRAINT summary_settings_weekly_day CHECK (weekly_day BETWEEN 1 AND 7),
    CONSTRAINT summary_settings_monthly_day CHECK (monthly_day BETWEEN 1 AND 31)
);

-- One row per summary that fell due (user, kind, period): whoever inserts or takes over the row
-- sends it, so that several instances never send one twice.
CREATE TABLE summary_sends (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- 'weekly' or 'monthly'
    kind TEXT NOT NULL,
    -- the period's first day (a Monday, or a month's first day)
    period_start DATE NOT NULL,
    -- 'sending' (claimed), 'retry' (failed, waiting for next_attempt_at), 'sent', 'failed' (gave up)
    status TEXT NOT NULL,
    claimed_by TEXT NOT NULL,
    claimed_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP,
    last_error TEXT,
    sent_at TIMESTAMP,
    CONSTRAINT summary_sends_user_kind_period_unique UNIQUE (user_id, kind, period_start)
);
