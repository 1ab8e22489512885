-- The corrections memory keeps money in and money out apart: a credit the user filed under an
-- expense category (a refund) must not steer that merchant's spending, nor a debit's category
-- its income. Existing memories of income categories can only have come from credits.
ALTER TABLE category_feedback ADD COLUMN credit BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE category_feedback SET credit = TRUE
    WHERE category_id IN (SELECT id FROM categories WHERE kind = 'income');
ALTER TABLE category_feedback DROP CONSTRAINT category_feedback_user_key_unique;
ALTER TABLE category_feedback
    ADD CONSTRAINT category_feedback_user_key_unique UNIQUE (user_id, merchant_key, credit);
