ALTER TABLE imports DROP COLUMN claimed_at;
ALTER TABLE imports DROP COLUMN claimed_by;
