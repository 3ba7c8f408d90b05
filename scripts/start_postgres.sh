#!/usr/bin/env bash
# Start a private, throwaway PostgreSQL cluster on 127.0.0.1 and print its SQLAlchemy URL on
# stdout (one line). Used by tests (session fixture), CI and bench/bench_sync.py.
#
#   url=$(scripts/start_postgres.sh [PORT])      # default port: a free one
#   scripts/start_postgres.sh --stop DATADIR      # stop it again (DATADIR is printed on stderr)
#
# initdb refuses to run as root, so as root the cluster runs as the `postgres` user.
# CI installs the server with: apt-get install -y --no-install-recommends postgresql
set -euo pipefail

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [[ -z "$PGBIN" || ! -x "$PGBIN/initdb" ]]; then
  echo "start_postgres.sh: no PostgreSQL server binaries (apt-get install postgresql)" >&2
  exit 3
fi

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [[ "${1:-}" == "--stop" ]]; then
  as_owner "$PGBIN/pg_ctl" -D "$2" -m fast stop >/dev/null
  sock=$(cat "$2/chedai_sock" 2>/dev/null || true)
  rm -rf "$2" ${sock:+"$sock"}
  exit 0
fi

PORT=${1:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
PGDATA=$(mktemp -d /tmp/chedai-pg.XXXXXX)
PGSOCK=$(mktemp -d /tmp/chedai-pgsock.XXXXXX)
if [[ $(id -u) -eq 0 ]]; then
  chown postgres:postgres "$PGDATA" "$PGSOCK"
fi
chmod 700 "$PGDATA"
as_owner "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
# fsync off: a throwaway test cluster, never real data.
as_owner "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $PGSOCK -c fsync=off -c max_connections=200" \
  start >/dev/null
echo "$PGSOCK" >"$PGDATA/chedai_sock"
"$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres chedai
echo "PGDATA=$PGDATA" >&2
echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/chedai"
