-- A monthly spending limit, per category (or, with no category, for all spending), recurring
-- from `starts_on` (the first day of a month).
CREATE TABLE budgets (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category_id BIGINT REFERENCES categories (id) ON DELETE CASCADE,
    -- minor units of the user's base currency
    amount BIGINT NOT NULL,
    -- unspent money and overspending carry into the next month
    rollover BOOLEAN NOT NULL DEFAULT FALSE,
    starts_on DATE NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX budgets_user_category_unique ON budgets (user_id, category_id);
-- NULLs are distinct in a unique index: one overall budget per user needs its own.
CREATE UNIQUE INDEX budgets_user_overall_unique ON budgets (user_id) WHERE category_id IS NULL;

-- A different limit for one month.
CREATE TABLE budget_overrides (
    id INTEGER PRIMARY KEY,
    budget_id BIGINT NOT NULL REFERENCES budgets (id) ON DELETE CASCADE,
    month DATE NOT NULL,
    amount BIGINT NOT NULL,
    CONSTRAINT budget_overrides_budget_month_unique UNIQUE (budget_id, month)
);
