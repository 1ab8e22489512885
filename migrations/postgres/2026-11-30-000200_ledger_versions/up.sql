-- A number per user that changes with every write to the user's ledger (transactions and
-- accounts, whichever code or cascade makes it), in the same transaction as the write. The
-- per-user caches of what is computed from the ledger (`ledger::cache`) are keyed by it, so a
-- write is seen by the next read in every server process. It starts at a random number rather
-- than 1: SQLite hands a deleted user's id to the next one registered, and the new user must
-- never meet the old one's numbers (a user with no row has never written: an empty ledger).
CREATE TABLE ledger_versions (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    version BIGINT NOT NULL
);

-- One upsert per user a statement touched; a cascade from a deleted user writes nothing.
CREATE FUNCTION ledger_versions_bump() RETURNS trigger LANGUAGE plpgsql AS $function$
BEGIN
    EXECUTE format($sql$
        INSERT INTO ledger_versions AS v (user_id, version)
        SELECT user_id, (random() * 4e18)::bigint
        FROM (SELECT DISTINCT user_id FROM %s) touched
        WHERE EXISTS (SELECT 1 FROM users u WHERE u.id = touched.user_id)
        -- one lock order for concurrent writers
        ORDER BY user_id
        ON CONFLICT (user_id) DO UPDATE SET version = v.version + 1
    $sql$, CASE TG_OP WHEN 'DELETE' THEN 'old_rows' ELSE 'new_rows' END);
    RETURN NULL;
END
$function$;

CREATE TRIGGER transactions_ledger_versions_insert AFTER INSERT ON transactions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_versions_bump();
CREATE TRIGGER transactions_ledger_versions_update AFTER UPDATE ON transactions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_versions_bump();
CREATE TRIGGER transactions_ledger_versions_delete AFTER DELETE ON transactions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_versions_bump();
CREATE TRIGGER accounts_ledger_versions_insert AFTER INSERT ON accounts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_versions_bump();
CREATE TRIGGER accounts_ledger_versions_update AFTER UPDATE ON accounts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_versions_bump();
CREATE TRIGGER accounts_ledger_versions_delete AFTER DELETE ON accounts
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_versions_bump();
