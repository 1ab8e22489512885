DROP TABLE goal_milestones;
DROP TABLE goal_pauses;
DROP TABLE goal_contributions;
DROP TABLE goal_accounts;
DROP TABLE goals;
