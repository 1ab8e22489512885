-- Who is committing an import and since when: a commit whose process died leaves its claim
-- behind, and a claim older than the configured lifetime (or left by this same instance before
-- a restart) is returned to 'previewed' so the import can be committed or discarded again.
ALTER TABLE imports ADD COLUMN claimed_by TEXT;
ALTER TABLE imports ADD COLUMN claimed_at TIMESTAMP;
