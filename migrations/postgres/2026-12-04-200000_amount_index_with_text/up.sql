-- Only SQLite's amount index changes here (it now carries the searched columns). PostgreSQL would
-- need `INCLUDE (description, merchant, notes)` for an index-only walk, but a btree entry holds
-- at most 2,704 bytes, and the three columns accept up to 2,700 characters (10,800 bytes of
-- UTF-8): a long enough description and notes would fail their insert. See docs/BENCHMARKS.md,
-- "A covering amount index". The folder exists so both backends share their migration versions.
SELECT 1;
