-- One counter per throttled bucket ("account:…", "address-account:…", "register:…"), bumped by a
-- single upsert before a password is checked, so parallel attempts cannot overshoot the limit:
-- the row lock (PostgreSQL) or the write lock (SQLite) orders them.
DROP TABLE login_failures;
CREATE TABLE login_throttle (
    scope TEXT PRIMARY KEY,
    window_started_at TIMESTAMP NOT NULL,
    attempts BIGINT NOT NULL
);
