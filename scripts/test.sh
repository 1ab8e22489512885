#!/usr/bin/env bash
# The full check, as CI runs it: formatting, lints, and the test suite on SQLite and on a throwaway PostgreSQL.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

system_packages() { scripts/deps.sh postgresql chromium; }
cargo_fmt() { cargo fmt --all -- --check; }
cargo_clippy() { cargo clippy --workspace --all-targets -- -D warnings; }

# The web app (frontend/): dependencies as locked, lint and strict type-check (against the API
# types generated from openapi.yaml), unit tests, the production build, and the browser tests
# against the real backend on SQLite.
in_frontend() { (cd frontend && "$@"); }
# Not `npm ci`: it wants every platform's rollup/esbuild build in the lock, and the registry here
# serves only Linux ones. `npm install` installs the locked versions; the lock must not change.
npm_install() {
  command -v npm >/dev/null || { echo "npm (Node.js 20.19+) is needed for the web app" >&2; return 1; }
  local before
  before=$(cat frontend/package-lock.json)
  in_frontend npm install --no-audit --no-fund
  [ "$before" = "$(cat frontend/package-lock.json)" ] ||
    { echo "frontend/package-lock.json was out of date: commit the updated one" >&2; return 1; }
}
frontend_lint() { in_frontend npm run lint && in_frontend npm run typecheck; }
frontend_unit() { in_frontend npm test; }
frontend_build() { in_frontend npm run build; }
frontend_e2e() { in_frontend npm run e2e; }

throwaway_postgres() {
  trap 'scripts/pg-test.sh stop' EXIT
  local env_line
  env_line=$(scripts/pg-test.sh start)
  eval "$env_line"
  # Under CI=true the PostgreSQL tests fail rather than skip without this.
  export DHANA_TEST_DATABASE_URL
}

corpus_check() { scripts/corpus-check; }
# The corpus test ran above with its report; skip it here. No doc-tests: the crate has none, and
# an empty doc-test run would be the last summary printed.
cargo_test() { cargo test --workspace --lib --bins --tests -- --skip corpus::; }

# The steps, in order. Later checks (frontend tests, corpus check, ...) are added as functions above
# and listed here.
STEPS=(system_packages cargo_fmt cargo_clippy npm_install frontend_lint frontend_unit frontend_build frontend_e2e
  throwaway_postgres corpus_check cargo_test)

# So that an interrupted run still stops the cluster via the EXIT trap.
trap 'exit 130' INT TERM

for step in "${STEPS[@]}"; do
  printf '\n==> %s\n' "${step//_/ }"
  "$step"
done
printf '\n==> all checks passed\n'
