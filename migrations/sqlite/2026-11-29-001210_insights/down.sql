DROP TABLE insights;
