-- A badge a user has earned: once per key, with the day and the fact that earned it.
CREATE TABLE badges (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    earned_on DATE NOT NULL,
    fact TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT badges_user_key_unique UNIQUE (user_id, key)
);

-- Users who turned badges off have a row here with enabled = FALSE.
CREATE TABLE badge_settings (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    enabled BOOLEAN NOT NULL,
    CONSTRAINT badge_settings_user_unique UNIQUE (user_id)
);
