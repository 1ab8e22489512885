-- A report a user asked for (a PDF, XLSX or CSV of a period) and, once made, its stored file.
-- Large ones are made in the background by whichever server instance claims the row: it writes
-- who it is and when into claimed_by/claimed_at, refreshing claimed_at as it goes, so a claim
-- that stops being refreshed belongs to a dead process and is taken over.
CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- 'pdf', 'xlsx' or 'csv'
    kind TEXT NOT NULL,
    -- 'month', 'year' or 'range', with its first and last day
    period_kind TEXT NOT NULL,
    period_from DATE NOT NULL,
    period_to DATE NOT NULL,
    include_transactions BOOLEAN NOT NULL,
    -- 'queued', 'running', 'ready' or 'failed'
    status TEXT NOT NULL,
    -- 0 to 100
    progress INTEGER NOT NULL,
    transaction_count BIGINT NOT NULL,
    failure TEXT,
    file_key TEXT,
    file_size BIGINT,
    claimed_by TEXT,
    claimed_at TIMESTAMP,
    attempts INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
CREATE INDEX reports_user_id_idx ON reports (user_id, id);
CREATE INDEX reports_status_idx ON reports (status);

-- The accounts a report is restricted to (none: all). Deleting one of them deletes the report.
CREATE TABLE report_accounts (
    report_id BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (report_id, account_id)
);
CREATE INDEX report_accounts_account_id_idx ON report_accounts (account_id);
