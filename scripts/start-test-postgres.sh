#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the server tests (Debian's `postgresql` package) and prints
# its connection URL on stdout, e.g.  export INJBENCH_TEST_PG_URL="$(bash scripts/start-test-postgres.sh)"
# The cluster listens on 127.0.0.1 only, trusts local connections (it holds nothing but test data) and
# lives in a fresh directory owned by the postgres user; stop it with: bash scripts/start-test-postgres.sh stop
set -euo pipefail

port="${INJBENCH_TEST_PG_PORT:-54329}"
data_dir="${INJBENCH_TEST_PG_DIR:-/tmp/injbench-test-pg}"

bin_dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
if [ -z "$bin_dir" ] || [ ! -x "$bin_dir/pg_ctl" ]; then
  echo "start-test-postgres: PostgreSQL is not installed (apt-get install postgresql)" >&2
  exit 1
fi

# initdb and postgres refuse to run as root: run them as the postgres user the Debian package creates.
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ "${1:-start}" = "stop" ]; then
  as_postgres "$bin_dir/pg_ctl" -D "$data_dir" -m fast stop >&2 || true
  exit 0
fi

if ! as_postgres "$bin_dir/pg_ctl" -D "$data_dir" status >/dev/null 2>&1; then
  rm -rf "$data_dir"
  mkdir -p "$data_dir"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$data_dir"
  as_postgres "$bin_dir/initdb" -D "$data_dir" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  as_postgres "$bin_dir/pg_ctl" -D "$data_dir" -l "$data_dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $data_dir -c max_connections=200 -c fsync=on" start >&2
fi
echo "postgres://postgres@127.0.0.1:$port/postgres"
