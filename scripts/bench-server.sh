# Sourced by the benchmarks that run the release server against the dashboard's benchmark user:
# start and stop it, register that user with its account and budgets, and fill its ledger. Needs
# BASE, PORT and work (a scratch dir) set, and the release build made (or DHANA_BIN naming another binary).

start_server() { # DATABASE_URL (empty for SQLite)
  DATABASE_URL="$1" DHANA_DATA_DIR="$work/data" DHANA_BIND="127.0.0.1:$PORT" RUST_LOG=warn \
    "${DHANA_BIN:-target/release/dhana}" serve 2>"$work/server.log" &
  server=$!
  for _ in $(seq 100); do
    curl -fs "$BASE/readyz" >/dev/null && return
    sleep 0.1
  done
  cat "$work/server.log" >&2
  exit 1
}

stop_server() {
  kill "$server"
  wait "$server" 2>/dev/null || true
  server=
}

json() { sed -E "s/.*\"$1\":\"?([^,\"}]+).*/\1/"; }

# Registers the measured user, with an account, budgets (one rolling over for two years) and
# sets `token`; the rows are inserted in SQL afterwards.
setup_user() {
  curl -fs -H 'content-type: application/json' "$BASE/api/v1/auth/register" \
    -d '{"email":"bench@example.com","password":"benchmark password","display_name":"Bench"}' >/dev/null
  sign_in
  curl -fs -H "Authorization: Bearer $token" -H 'content-type: application/json' \
    "$BASE/api/v1/accounts" -d '{"name":"Main","kind":"checking","currency":"USD"}' >/dev/null
  for category in 1 2 3 5; do
    curl -fs -H "Authorization: Bearer $token" -H 'content-type: application/json' "$BASE/api/v1/budgets" \
      -d "{\"category_id\":$category,\"amount\":50000,\"rollover\":true,\"starts\":\"2024-03\"}" >/dev/null
  done
  curl -fs -H "Authorization: Bearer $token" -H 'content-type: application/json' "$BASE/api/v1/budgets" \
    -d '{"amount":400000,"starts":"2024-03"}' >/dev/null
}

# Sets `token` for the measured user.
sign_in() {
  token=$(curl -fs -H 'content-type: application/json' "$BASE/api/v1/auth/token" \
    -d '{"email":"bench@example.com","password":"benchmark password"}' | json access_token)
}

# The measured user's ledger: 100,000 rows over ten years from START (YYYY-MM-DD), every 40th
# income, every 9th uncategorized, 50 merchants with their keys (the dashboard's top merchants
# group by the key, as imports write it). On PostgreSQL it shares the database with 199
# other users of 20,000 rows each (4.1 million rows). Run after setup_user.
MAIN_ROWS=100000
USERS=200
PER_USER=20000

fill_sqlite() { # START
  sqlite3 "$work/data/dhana.db" "
  WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $MAIN_ROWS - 1)
  INSERT INTO transactions (user_id, account_id, date, amount, description, merchant, merchant_key, category_id,
                            is_transfer, fingerprint, created_at, updated_at)
  SELECT 1, 1, date('$1', '+' || (i * 3653 / $MAIN_ROWS) || ' days'),
         CASE WHEN i % 40 = 0 THEN 250000 ELSE -(100 + (i * 7919) % 20000) END,
         'row ' || i, 'Merchant ' || (i % 50), 'merchant ' || (i % 50),
         CASE WHEN i % 40 = 0 THEN 18 WHEN i % 9 = 0 THEN NULL ELSE 1 + i % 17 END,
         0, 'b:' || i, '2026-01-01 00:00:00', '2026-01-01 00:00:00'
  FROM n;
  ANALYZE;"
}

fill_postgres() { # START; needs db (the URL)
  psql -q "$db" <<SQL
INSERT INTO users (email, email_key, display_name, password_hash, created_at, updated_at)
  SELECT 'u' || g || '@example.com', 'u' || g || '@example.com', 'User ' || g, 'x', now(), now()
  FROM generate_series(2, $USERS) g;
INSERT INTO accounts (user_id, name, kind, currency, created_at, updated_at)
  SELECT id, 'Main', 'checking', 'USD', now(), now() FROM users WHERE id > 1;
INSERT INTO transactions (user_id, account_id, date, amount, description, merchant, merchant_key, category_id,
                          is_transfer, fingerprint, created_at, updated_at)
  SELECT a.user_id, a.id, DATE '$1' + (i * 3653 / $PER_USER),
         -(100 + (i * 7919) % 20000), 'row ' || i, 'Merchant ' || (i % 50), 'merchant ' || (i % 50), NULL, false,
         'b:' || i, now(), now()
  FROM accounts a, generate_series(0, $PER_USER - 1) i WHERE a.user_id > 1;
INSERT INTO transactions (user_id, account_id, date, amount, description, merchant, merchant_key, category_id,
                          is_transfer, fingerprint, created_at, updated_at)
  SELECT 1, 1, DATE '$1' + (i * 3653 / $MAIN_ROWS),
         CASE WHEN i % 40 = 0 THEN 250000 ELSE -(100 + (i * 7919) % 20000) END,
         'row ' || i, 'Merchant ' || (i % 50), 'merchant ' || (i % 50),
         CASE WHEN i % 40 = 0 THEN 18 WHEN i % 9 = 0 THEN NULL ELSE 1 + i % 17 END,
         false, 'b:' || i, now(), now()
  FROM generate_series(0, $MAIN_ROWS - 1) i;
VACUUM ANALYZE;
SQL
}
