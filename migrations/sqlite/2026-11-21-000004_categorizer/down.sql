DROP TABLE category_feedback;
ALTER TABLE transactions DROP COLUMN suggested_category_id;
