DROP TABLE login_throttle;
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    scope TEXT NOT NULL,
    failed_at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_scope_failed_at_idx ON login_failures (scope, failed_at);
