#!/usr/bin/env bash
# Builds and runs the server: http://127.0.0.1:8080 on SQLite under ./data unless DHANA_* / DATABASE_URL say
# otherwise.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/deps.sh
exec cargo run --release -p dhana -- serve
