#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 on 127.0.0.1:${PGPORT:-5433} (as root: initdb runs as the postgres user) and
# prints the export line for the tests' connection string. Reuses a server already answering on that port.
set -euo pipefail
port=${PGPORT:-5433}
bin=/usr/lib/postgresql/15/bin
conn="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres;Timeout=15"

if ! "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then
  data=$(mktemp -d /tmp/citytwin-pg-XXXXXX)
  chown postgres:postgres "$data"
  su postgres -s /bin/sh -c "$bin/initdb -D $data -A trust -U postgres >/dev/null"
  su postgres -s /bin/sh -c "$bin/pg_ctl -D $data -l $data/server.log -w -t 60 \
      -o '-k /tmp -p $port -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off' start >/dev/null"
fi
for _ in $(seq 1 60); do "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" && break; sleep 0.5; done
"$bin/pg_isready" -q -h 127.0.0.1 -p "$port" || { echo "PostgreSQL did not become ready on port $port" >&2; exit 1; }
echo "export CITYTWIN_TEST_POSTGRES='$conn'"
