#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on 127.0.0.1 (a free port, a temp dir, a non-root user).
# Usage: eval "$(scripts/pg-throwaway.sh start)"   → exports AMKIT_TEST_PG_URL and PG_THROWAWAY_DIR
#        scripts/pg-throwaway.sh stop "$PG_THROWAWAY_DIR"
# Installs the Debian `postgresql` package when no server binaries are found (needs apt-get).
set -euo pipefail

find_bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$d" ] && [ -x "$d/initdb" ]; then echo "$d"; return; fi
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then dirname "$(command -v initdb)"; fi
}

as_user() {  # run a command as the unprivileged cluster owner
  if [ "$(id -u)" = "0" ]; then su -s /bin/sh "$PGUSER_OS" -c "$*"; else sh -c "$*"; fi
}

case "${1:-}" in
start)
  BIN=$(find_bin)
  if [ -z "$BIN" ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "installing postgresql (Debian package)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null 2>&1 || true
    BIN=$(find_bin)
  fi
  if [ -z "$BIN" ]; then echo "echo 'no PostgreSQL server binaries: PostgreSQL tests will be skipped' >&2"; exit 0; fi
  PGUSER_OS=postgres
  if [ "$(id -u)" = "0" ] && ! id "$PGUSER_OS" >/dev/null 2>&1; then
    useradd --system --no-create-home "$PGUSER_OS"
  fi
  DIR=$(mktemp -d /tmp/amkit-pg.XXXXXX)
  [ "$(id -u)" = "0" ] && chown "$PGUSER_OS" "$DIR"
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  as_user "'$BIN/initdb' -D '$DIR/data' -U amkit --auth=trust -E UTF8 --locale=C.UTF-8 >'$DIR/initdb.log' 2>&1"
  as_user "'$BIN/pg_ctl' -D '$DIR/data' -l '$DIR/server.log' -w -o \"-p $PORT -k '$DIR' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200\" start >/dev/null"
  echo "export AMKIT_TEST_PG_URL='postgresql+psycopg://amkit@127.0.0.1:$PORT/postgres'"
  echo "export PG_THROWAWAY_DIR='$DIR' PG_THROWAWAY_BIN='$BIN'"
  ;;
stop)
  DIR=${2:?dir}
  BIN=${PG_THROWAWAY_BIN:-$(find_bin)}
  PGUSER_OS=postgres
  as_user "'$BIN/pg_ctl' -D '$DIR/data' -m immediate -w stop >/dev/null 2>&1" || true
  rm -rf "$DIR"
  ;;
*)
  echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
