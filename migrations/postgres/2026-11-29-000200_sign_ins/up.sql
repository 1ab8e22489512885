-- One row per live sign-in (a browser session or a refresh-token family). Sessions and access
-- tokens carry its handle and every request looks it up, so deleting the row ends them at once.
CREATE TABLE sign_ins (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- random; for token sign-ins it is the refresh-token family
    handle TEXT NOT NULL,
    -- 'session' (browser cookie) or 'token' (access and refresh tokens)
    kind TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP NOT NULL,
    CONSTRAINT sign_ins_handle_unique UNIQUE (handle)
);
CREATE INDEX sign_ins_user_id_idx ON sign_ins (user_id);

-- Token sign-ins that were live before this migration keep working.
INSERT INTO sign_ins (user_id, handle, kind, user_agent, created_at, last_used_at)
SELECT user_id, family, 'token', '', MIN(created_at), MAX(created_at)
FROM refresh_tokens
WHERE revoked_at IS NULL
GROUP BY user_id, family;
