-- The transaction list's text search (`q`, see ledger::search) is `lower(column) LIKE '%…%'` on
-- three columns; a pg_trgm GIN index on exactly those expressions answers such a LIKE from the
-- trigrams of the query (then rechecks the rows), instead of a scan of every row of the user.
-- PostgreSQL keeps it in step with every write itself.
--
-- pg_trgm ships with PostgreSQL (Debian's postgresql-NN package) and is a trusted extension
-- (13+): the owner of the database may create it. Where it is missing or not allowed, the
-- migration still succeeds without the index and search stays the scan it was (same results,
-- slower); see the README.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX transactions_text_idx ON transactions USING gin (
        lower(description) gin_trgm_ops,
        lower(merchant) gin_trgm_ops,
        lower(notes) gin_trgm_ops
    );
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'no trigram index for text search (%): search scans the rows instead', SQLERRM;
END
$$;
