-- Personal access tokens are sign-ins of kind 'pat' whose handle is the SHA-256 of the token
-- (the token itself is shown once and never stored), so every bearer credential is checked by
-- the same single lookup. These columns are theirs: the owner's name for the token, its scopes
-- ("read write import") and when it stops working (NULL: never).
ALTER TABLE sign_ins ADD COLUMN name TEXT;
ALTER TABLE sign_ins ADD COLUMN scopes TEXT;
ALTER TABLE sign_ins ADD COLUMN expires_at TIMESTAMP;
