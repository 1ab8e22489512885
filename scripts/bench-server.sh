# Sourced by the benchmarks that run the release server against the dashboard's benchmark user:
# start and stop it, and register that user with its account and budgets. Needs BASE, PORT and
# work (a scratch dir) set, and the release build made (or DHANA_BIN naming another binary).

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
