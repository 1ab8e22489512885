ALTER TABLE goal_milestones DROP COLUMN seen;
ALTER TABLE badges DROP COLUMN seen;
