-- Only PostgreSQL's amount index changes here (it splits in two halves by the length of the
-- searched texts); SQLite's already carries them for every row. The folder exists so both
-- backends share their migration versions.
SELECT 1;
