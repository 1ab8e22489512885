-- A debt to plan the payoff of: a manual balance, or a loan / credit-card account's.
CREATE TABLE debts (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    -- credit_card, loan, mortgage, student, other
    kind TEXT NOT NULL,
    currency TEXT NOT NULL,
    -- what is owed, in minor units; ignored while account_id links the debt to the ledger
    balance BIGINT NOT NULL,
    -- annual rate in basis points (1999 = 19.99 %)
    apr_bp BIGINT NOT NULL,
    -- fixed, percent or installment
    minimum_kind TEXT NOT NULL,
    -- the fixed minimum, or the floor of a percentage minimum
    minimum_amount BIGINT NOT NULL DEFAULT 0,
    minimum_percent_bp BIGINT,
    -- installments: the month (first day) of the last payment
    final_month DATE,
    promo_apr_bp BIGINT,
    -- the last month (first day) at the promotional rate
    promo_ends DATE,
    due_day INTEGER,
    account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CONSTRAINT debts_user_name_unique UNIQUE (user_id, name)
);
CREATE INDEX debts_account_id_idx ON debts (account_id);
