#!/usr/bin/env bash
# A throw-away PostgreSQL cluster on loopback for the tests and benchmarks:
#   eval "$(.ci/postgres.sh start)"   # prints the exports (INTERESTS_TEST_POSTGRES, PGTMP_DIR)
#   .ci/postgres.sh stop "$PGTMP_DIR"
# initdb refuses to run as root, so as root the cluster belongs to the `postgres` user.
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "PostgreSQL server binaries not found (Debian: apt-get install postgresql)" >&2; exit 1; }
as_owner=()
[ "$(id -u)" -eq 0 ] && as_owner=(runuser -u postgres --)

case "${1:-}" in
start)
  dir=$(mktemp -d /tmp/interests-pg.XXXXXX)
  chmod 755 "$dir"
  [ ${#as_owner[@]} -gt 0 ] && chown postgres "$dir"
  port=${PGTMP_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
  "${as_owner[@]}" "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  # Durability off for tests: the cluster is thrown away. PGTMP_DURABLE=1 keeps PostgreSQL's
  # defaults (benchmarks measure with them).
  fast="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  [ "${PGTMP_DURABLE:-0}" = 1 ] && fast=""
  # PGTMP_OPTIONS: further server settings, e.g. "-c shared_buffers=4GB" (benchmarks).
  fast="$fast ${PGTMP_OPTIONS:-}"
  "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 $fast" \
    start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
  echo "export INTERESTS_TEST_POSTGRES='postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable'"
  echo "export PGTMP_DIR='$dir'"
  ;;
stop)
  dir=${2:?usage: postgres.sh stop DIR}
  "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start | stop DIR" >&2
  exit 2
  ;;
esac
