ALTER TABLE transactions DROP COLUMN merchant_key;
