#!/usr/bin/env bash
# The full check, as CI runs it: formatting, lints, and the test suite on SQLite and on a throwaway PostgreSQL.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

system_packages() { scripts/deps.sh postgresql chromium python3-aiosmtpd python3-venv; }
cargo_fmt() { cargo fmt --all -- --check; }
# Every cargo step builds with the forecast training pipeline (`--features training`, polars), so
# that it is linted and its tests run (the artifact reproduces from the seed), and so that the
# run builds the dependencies once: a step without it would rebuild those whose features it
# changes (docs/BENCHMARKS.md has polars' build cost).
FEATURES=(--features dhana/training)
export CORPUS_CHECK_CARGO_ARGS="${FEATURES[*]}"
cargo_clippy() { cargo clippy --workspace --all-targets "${FEATURES[@]}" -- -D warnings; }
# The server the browser test and the contract test start.
cargo_build() {
  cargo build -q -p dhana "${FEATURES[@]}"
  export DHANA_BIN=$PWD/target/debug/dhana
}

# The web app (frontend/): dependencies as locked, lint and strict type-check (against the API
# types generated from openapi.yaml), unit tests, the production build, and the browser tests
# against the real backend on SQLite.
in_frontend() { (cd frontend && "$@"); }
# `npm ci` installs exactly what the committed lock names and never rewrites it (a lock that
# disagrees with package.json fails here). The lock lists every platform's optional rollup/esbuild
# build, as current npm writes it; npm only installs the ones for this machine.
npm_install() {
  command -v npm >/dev/null || { echo "npm (Node.js 20.19+) is needed for the web app" >&2; return 1; }
  in_frontend npm ci --no-audit --no-fund
}
frontend_lint() { in_frontend npm run lint && in_frontend npm run typecheck; }
frontend_unit() { in_frontend npm test; }
frontend_build() { in_frontend npm run build; }
frontend_e2e() { in_frontend npm run e2e; }

# What the run started, stopped on exit however it ends.
STOP_ON_EXIT=()
stop_started() { local cmd; for cmd in "${STOP_ON_EXIT[@]}"; do $cmd || true; done; }
trap stop_started EXIT

throwaway_postgres() {
  STOP_ON_EXIT+=("scripts/pg-test.sh stop")
  local env_line
  env_line=$(scripts/pg-test.sh start)
  eval "$env_line"
  # Under CI=true the PostgreSQL tests fail rather than skip without this.
  export DHANA_TEST_DATABASE_URL
}

# A real SMTP server (aiosmtpd) that writes what it receives where the email tests read it; under
# CI=true those tests fail rather than skip without it.
throwaway_smtp() {
  STOP_ON_EXIT+=("scripts/smtp-test.sh stop")
  local env_line
  env_line=$(scripts/smtp-test.sh start)
  eval "$env_line"
  export DHANA_TEST_SMTP_URL DHANA_TEST_MAILDIR
}

corpus_check() { scripts/corpus-check; }
# The OpenAPI document against the live server on both backends (schemathesis; see the script).
contract_test() { scripts/contract-test; }
# The corpus test ran above with its report; skip it here, by its whole name, so that no other
# test whose path mentions "corpus" (ml::corpus's unit tests) is skipped with it. No doc-tests:
# the crate has none, and an empty doc-test run would be the last summary printed.
cargo_test() { cargo test --workspace "${FEATURES[@]}" --lib --bins --tests -- --skip corpus::corpus_files_import_as_the_manifest_says; }

# Nothing the run does may change a tracked file or leave an untracked one behind (generated
# output belongs in .gitignore): a command that rewrites the lock or a generated file fails here.
# Compared with the tree as the run found it, so uncommitted work does not fail a local run; CI
# starts from a clean clone, where this means the tree must end clean.
tree_state() { git status --porcelain --untracked-files=all && git diff HEAD | sha256sum; }
TREE_BEFORE=$(tree_state)
clean_tree() {
  local after
  after=$(tree_state)
  [ "$TREE_BEFORE" = "$after" ] ||
    { printf 'the run changed the work tree:\n%s\n' "$(diff <(echo "$TREE_BEFORE") <(echo "$after"))" >&2; return 1; }
}

# The steps, in order. Later checks (frontend tests, corpus check, ...) are added as functions above
# and listed here.
STEPS=(system_packages cargo_fmt cargo_clippy cargo_build npm_install frontend_lint frontend_unit frontend_build frontend_e2e
  throwaway_postgres throwaway_smtp corpus_check contract_test cargo_test clean_tree)

# So that an interrupted run still stops the cluster via the EXIT trap.
trap 'exit 130' INT TERM

for step in "${STEPS[@]}"; do
  printf '\n==> %s\n' "${step//_/ }"
  "$step"
done
printf '\n==> all checks passed\n'
