#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for the test suite, under $REPO/.pg-test.
#   eval "$(scripts/pg-test.sh start)"   # sets DHANA_TEST_DATABASE_URL
#   scripts/pg-test.sh stop
# Only the export line goes to stdout; progress and errors go to stderr.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=$REPO/.pg-test

die() { echo "pg-test: $*" >&2; exit 1; }

# postgres refuses to run as root, so as root everything runs as the postgres system user.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

find_bin() {
  local initdb
  if initdb=$(command -v initdb); then
    dirname "$(readlink -f "$initdb")"
  else
    printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1
  fi
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The data dir is normally $DIR/data; its real path is kept in $DIR/datadir (see start).
datadir() { cat "$DIR/datadir" 2>/dev/null || echo "$DIR/data"; }

stop() {
  local data bin
  data=$(datadir)
  if [ -f "$data/postmaster.pid" ]; then
    bin=$(find_bin)
    if ! as_pg "$bin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1; then
      kill -9 "$(head -n 1 "$data/postmaster.pid")" 2>/dev/null || true
    fi
  fi
  rm -rf "$data" "$DIR"
}

start() {
  local bin port data
  bin=$(find_bin)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "pg-test: PostgreSQL not found, installing it" >&2
    "$REPO/scripts/deps.sh" postgresql >&2
    bin=$(find_bin)
    [ -n "$bin" ] && [ -x "$bin/initdb" ] || die "initdb still not found after installing postgresql"
  fi
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root needs a 'postgres' system user (apt-get install postgresql creates it)"
  fi

  stop
  mkdir -p "$DIR"
  [ "$(id -u)" -ne 0 ] || chown postgres: "$DIR"
  data=$DIR/data
  # The postgres user may be unable to reach a repo under e.g. /root, and a socket path
  # over ~100 bytes is refused: fall back to a temp dir then.
  if ! as_pg test -w "$DIR" || [ ${#data} -gt 80 ]; then
    data=$(mktemp -d /tmp/dhana-pg-test.XXXXXX)
    [ "$(id -u)" -ne 0 ] || chown postgres: "$data"
    echo "$data" >"$DIR/datadir"
  fi

  if [ -n "${PGTEST_PORT:-}" ]; then
    port=$PGTEST_PORT
  else
    port=54329
    while port_busy "$port"; do port=$((port + 1)); done
  fi

  as_pg "$bin/initdb" -D "$data" -U dhana --auth=trust -E UTF8 --no-locale --no-sync >"$DIR/initdb.log" 2>&1 ||
    { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
  cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$data'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
  as_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start >/dev/null ||
    { tail -n 20 "$data/server.log" >&2; die "postgres did not start on port $port"; }
  echo "pg-test: PostgreSQL $(cat "$data/PG_VERSION") on 127.0.0.1:$port, data in $data" >&2
  echo "export DHANA_TEST_DATABASE_URL=postgres://dhana@127.0.0.1:$port/postgres"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) die "usage: $0 start|stop" ;;
esac
