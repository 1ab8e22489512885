DELETE FROM sign_ins WHERE kind = 'pat';
ALTER TABLE sign_ins DROP COLUMN expires_at;
ALTER TABLE sign_ins DROP COLUMN scopes;
ALTER TABLE sign_ins DROP COLUMN name;
