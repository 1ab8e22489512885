#!/usr/bin/env bash
# Throwaway SMTP server for the test suite (scripts/smtp-test-server.py), under $REPO/.smtp-test.
#   eval "$(scripts/smtp-test.sh start)"   # sets DHANA_TEST_SMTP_URL and DHANA_TEST_MAILDIR
#   scripts/smtp-test.sh stop
# Only the export line goes to stdout; progress and errors go to stderr.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=$REPO/.smtp-test
# Debian's interpreter, which python3-aiosmtpd installs into (not a pyenv or venv one on PATH).
PYTHON=/usr/bin/python3

die() { echo "smtp-test: $*" >&2; exit 1; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

stop() {
  local pid
  if [ -f "$DIR/pid" ]; then
    pid=$(cat "$DIR/pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$DIR"
}

start() {
  "$REPO/scripts/deps.sh" python3-aiosmtpd >&2
  stop
  mkdir -p "$DIR/mail"
  local port=${SMTPTEST_PORT:-2525}
  if [ -n "${SMTPTEST_PORT:-}" ]; then
    ! port_busy "$port" || die "port $port is taken"
  else
    while port_busy "$port"; do port=$((port + 1)); done
  fi
  # Its own output goes to a log, so that `$(scripts/smtp-test.sh start)` does not wait for it.
  "$PYTHON" "$REPO/scripts/smtp-test-server.py" "$port" "$DIR/mail" </dev/null >"$DIR/server.log" 2>&1 &
  echo $! >"$DIR/pid"
  for _ in $(seq 50); do
    port_busy "$port" && break
    kill -0 "$(cat "$DIR/pid")" 2>/dev/null || { cat "$DIR/server.log" >&2; die "the server did not start"; }
    sleep 0.1
  done
  port_busy "$port" && kill -0 "$(cat "$DIR/pid")" 2>/dev/null || die "nothing listens on port $port"
  echo "smtp-test: listening on 127.0.0.1:$port, messages in $DIR/mail" >&2
  echo "export DHANA_TEST_SMTP_URL=smtp://127.0.0.1:$port DHANA_TEST_MAILDIR=$DIR/mail"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) die "usage: $0 start|stop" ;;
esac
