-- A number per user that changes with every write to the user's ledger (transactions and
-- accounts, whichever code or cascade makes it), in the same transaction as the write. The
-- per-user caches of what is computed from the ledger (`ledger::cache`) are keyed by it, so a
-- write is seen by the next read in every server process. It starts at a random number rather
-- than 1: SQLite hands a deleted user's id to the next one registered, and the new user must
-- never meet the old one's numbers (a user with no row has never written: an empty ledger).
CREATE TABLE ledger_versions (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    version BIGINT NOT NULL
);

-- One upsert per row written (SQLite has no statement triggers); a cascade from a deleted user
-- writes nothing.
CREATE TRIGGER transactions_ledger_versions_insert AFTER INSERT ON transactions
BEGIN
    INSERT INTO ledger_versions (user_id, version)
    SELECT NEW.user_id, abs(random() / 4) WHERE EXISTS (SELECT 1 FROM users WHERE id = NEW.user_id)
    ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER transactions_ledger_versions_update AFTER UPDATE ON transactions
BEGIN
    INSERT INTO ledger_versions (user_id, version)
    SELECT NEW.user_id, abs(random() / 4) WHERE EXISTS (SELECT 1 FROM users WHERE id = NEW.user_id)
    ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER transactions_ledger_versions_delete AFTER DELETE ON transactions
BEGIN
    INSERT INTO ledger_versions (user_id, version)
    SELECT OLD.user_id, abs(random() / 4) WHERE EXISTS (SELECT 1 FROM users WHERE id = OLD.user_id)
    ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER accounts_ledger_versions_insert AFTER INSERT ON accounts
BEGIN
    INSERT INTO ledger_versions (user_id, version)
    SELECT NEW.user_id, abs(random() / 4) WHERE EXISTS (SELECT 1 FROM users WHERE id = NEW.user_id)
    ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER accounts_ledger_versions_update AFTER UPDATE ON accounts
BEGIN
    INSERT INTO ledger_versions (user_id, version)
    SELECT NEW.user_id, abs(random() / 4) WHERE EXISTS (SELECT 1 FROM users WHERE id = NEW.user_id)
    ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER accounts_ledger_versions_delete AFTER DELETE ON accounts
BEGIN
    INSERT INTO ledger_versions (user_id, version)
    SELECT OLD.user_id, abs(random() / 4) WHERE EXISTS (SELECT 1 FROM users WHERE id = OLD.user_id)
    ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;
