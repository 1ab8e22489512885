#!/usr/bin/env bash
# Builds the web app and runs the server: http://127.0.0.1:8080 on SQLite under ./data unless DHANA_* / DATABASE_URL say
# otherwise.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/deps.sh
# The web app is served from frontend/dist (DHANA_FRONTEND_DIR): build it first so this one URL
# is the whole product.
if command -v npm >/dev/null; then
  (cd frontend && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run build)
else
  echo "dev: npm not found; serving the API only (install Node.js 20.19+ for the web app)" >&2
fi
exec cargo run --release -p dhana -- serve
