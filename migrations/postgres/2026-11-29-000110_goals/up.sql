-- A savings goal: a target in one currency, funded by earmarks on accounts, by contributions
-- and/or by a share of each month's net savings.
CREATE TABLE goals (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    target_amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    target_date DATE,
    -- basis points of each complete month's net savings (income minus spending) allocated
    savings_share_bp BIGINT,
    -- active, paused, completed, archived
    state TEXT NOT NULL,
    -- first day of the month the goal starts counting from
    starts_on DATE NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CONSTRAINT goals_user_name_unique UNIQUE (user_id, name)
);

-- Part of an account's balance set aside for a goal; one account can hold several goals.
CREATE TABLE goal_accounts (
    id BIGSERIAL PRIMARY KEY,
    goal_id BIGINT NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    amount BIGINT NOT NULL,
    CONSTRAINT goal_accounts_goal_account_unique UNIQUE (goal_id, account_id)
);
CREATE INDEX goal_accounts_account_id_idx ON goal_accounts (account_id);

-- Money put towards (or, negative, taken from) a goal by hand.
CREATE TABLE goal_contributions (
    id BIGSERIAL PRIMARY KEY,
    goal_id BIGINT NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    date DATE NOT NULL,
    amount BIGINT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX goal_contributions_goal_id_idx ON goal_contributions (goal_id, date);

-- Months (first days) in which a goal was paused: no share of savings is allocated in them.
CREATE TABLE goal_pauses (
    id BIGSERIAL PRIMARY KEY,
    goal_id BIGINT NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    from_month DATE NOT NULL,
    to_month DATE
);
CREATE INDEX goal_pauses_goal_id_idx ON goal_pauses (goal_id);

-- 25, 50, 75 and 100 % of the target, each recorded once with the day it was first seen.
CREATE TABLE goal_milestones (
    id BIGSERIAL PRIMARY KEY,
    goal_id BIGINT NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    percent INTEGER NOT NULL,
    reached_on DATE NOT NULL,
    CONSTRAINT goal_milestones_goal_percent_unique UNIQUE (goal_id, percent)
);
