-- Only SQLite's text index changes here (FTS5 without positions); PostgreSQL's pg_trgm GIN index
-- never held positions. The folder exists so both backends share their migration versions.
SELECT 1;
