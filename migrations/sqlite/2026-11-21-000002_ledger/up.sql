CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    -- checking, savings, credit_card, cash, loan, investment
    kind TEXT NOT NULL,
    currency TEXT NOT NULL,
    opening_balance BIGINT NOT NULL DEFAULT 0,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CONSTRAINT accounts_user_name_unique UNIQUE (user_id, name)
);

CREATE TABLE categories (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    parent_id BIGINT REFERENCES categories (id) ON DELETE SET NULL,
    -- expense, income, transfer
    kind TEXT NOT NULL,
    color TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CONSTRAINT categories_user_name_unique UNIQUE (user_id, name)
);
CREATE INDEX categories_parent_id_idx ON categories (parent_id);

CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    format TEXT NOT NULL,
    -- previewed, committing, committed, failed, undone
    status TEXT NOT NULL,
    -- the Mapping as JSON
    mapping TEXT NOT NULL,
    -- where the original file is kept, relative to the storage root
    file_key TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    file_size BIGINT NOT NULL,
    total_rows BIGINT NOT NULL DEFAULT 0,
    processed_rows BIGINT NOT NULL DEFAULT 0,
    imported_count BIGINT NOT NULL DEFAULT 0,
    duplicate_count BIGINT NOT NULL DEFAULT 0,
    error_count BIGINT NOT NULL DEFAULT 0,
    skipped_count BIGINT NOT NULL DEFAULT 0,
    -- JSON list of row problems, unreadable and skipped lines alike
    problems TEXT NOT NULL DEFAULT '[]',
    failure TEXT,
    created_at TIMESTAMP NOT NULL,
    committed_at TIMESTAMP,
    undone_at TIMESTAMP
);
CREATE INDEX imports_user_id_idx ON imports (user_id, created_at);
CREATE INDEX imports_account_id_idx ON imports (account_id);

CREATE TABLE transactions (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    date DATE NOT NULL,
    -- minor units of the account's currency; expenses negative
    amount BIGINT NOT NULL,
    description TEXT NOT NULL,
    merchant TEXT,
    notes TEXT,
    category_id BIGINT REFERENCES categories (id) ON DELETE SET NULL,
    -- how the category was set: rule, model, user, import
    category_source TEXT,
    category_confidence DOUBLE,
    is_transfer BOOLEAN NOT NULL DEFAULT FALSE,
    import_id BIGINT REFERENCES imports (id) ON DELETE SET NULL,
    -- the bank's own id (OFX FITID) when the file has one
    external_id TEXT,
    -- duplicate detection key: see ledger::fingerprint
    fingerprint TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- Lists page through (user, date, id); reports sum by day and category: the trailing columns
-- let both read the index alone.
CREATE INDEX transactions_user_date_idx ON transactions (user_id, date, id, category_id, amount, is_transfer, account_id);
CREATE INDEX transactions_account_date_idx ON transactions (account_id, date);
CREATE INDEX transactions_account_fingerprint_idx ON transactions (account_id, fingerprint);
CREATE INDEX transactions_category_idx ON transactions (user_id, category_id);
CREATE INDEX transactions_import_idx ON transactions (import_id);

CREATE TABLE rules (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    -- lower runs first; the first matching rule wins
    priority INTEGER NOT NULL,
    -- contains, equals, regex (on the description)
    match_kind TEXT NOT NULL,
    pattern TEXT NOT NULL,
    min_amount BIGINT,
    max_amount BIGINT,
    account_id BIGINT REFERENCES accounts (id) ON DELETE CASCADE,
    category_id BIGINT NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX rules_user_id_idx ON rules (user_id, priority);

-- The mapping a user confirmed for a file layout, reused for the next file of that layout.
CREATE TABLE mapping_profiles (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    layout TEXT NOT NULL,
    mapping TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CONSTRAINT mapping_profiles_account_layout_unique UNIQUE (account_id, layout)
);
