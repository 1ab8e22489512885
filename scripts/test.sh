#!/usr/bin/env bash
# The full check, as CI runs it: formatting, lints, and the test suite on SQLite and on a throwaway PostgreSQL.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

system_packages() { scripts/deps.sh postgresql; }
cargo_fmt() { cargo fmt --all -- --check; }
cargo_clippy() { cargo clippy --workspace --all-targets -- -D warnings; }

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
STEPS=(system_packages cargo_fmt cargo_clippy throwaway_postgres corpus_check cargo_test)

# So that an interrupted run still stops the cluster via the EXIT trap.
trap 'exit 130' INT TERM

for step in "${STEPS[@]}"; do
  printf '\n==> %s\n' "${step//_/ }"
  "$step"
done
printf '\n==> all checks passed\n'
