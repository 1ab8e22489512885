DELETE FROM category_feedback WHERE credit
    AND EXISTS (SELECT 1 FROM category_feedback d
                WHERE d.user_id = category_feedback.user_id
                  AND d.merchant_key = category_feedback.merchant_key AND NOT d.credit);
ALTER TABLE category_feedback DROP CONSTRAINT category_feedback_user_key_unique;
ALTER TABLE category_feedback
    ADD CONSTRAINT category_feedback_user_key_unique UNIQUE (user_id, merchant_key);
ALTER TABLE category_feedback DROP COLUMN credit;
