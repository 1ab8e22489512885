-- Whether the web app has celebrated a badge or goal milestone yet. What was earned before this
-- column existed counts as seen, so upgrading does not replay every old celebration.
ALTER TABLE badges ADD COLUMN seen BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE badges SET seen = TRUE;
ALTER TABLE goal_milestones ADD COLUMN seen BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE goal_milestones SET seen = TRUE;
