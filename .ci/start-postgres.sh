#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 on 127.0.0.1:${PGPORT:-5433} with a database citytwin_test, and prints the
# line that exports the tests' connection string (use: eval "$(bash .ci/start-postgres.sh)").
# Installs nothing: the caller has run `apt-get install postgresql`. As root, initdb and the server run as the
# postgres user (PostgreSQL refuses to run as root). A server already answering on the port is reused, and the
# database is created only if missing, so running this twice is harmless. Everything but the export goes to stderr.
set -euo pipefail
port=${PGPORT:-5433}
bin=/usr/lib/postgresql/15/bin
database=citytwin_test

[ -x "$bin/initdb" ] || { echo "PostgreSQL 15 is not installed ($bin missing): apt-get install -y postgresql" >&2; exit 1; }

as_postgres() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi; }

if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then
  echo "reusing the PostgreSQL already listening on 127.0.0.1:$port" >&2
else
  root=$(mktemp -d /tmp/citytwin-pg-XXXXXX)   # logs here, the cluster in $root/data (initdb wants an empty folder)
  data=$root/data
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$root"; fi
  # trust on loopback: a disposable test server. fsync=off: speed over durability, nothing here must survive a crash.
  as_postgres "$bin/initdb -D $data -A trust -U postgres >$root/initdb.log 2>&1" \
    || { echo "initdb failed, see $root/initdb.log" >&2; exit 1; }
  as_postgres "$bin/pg_ctl -D $data -l $root/server.log -w -t 60 \
      -o '-k /tmp -p $port -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off' start >/dev/null"
  echo "started PostgreSQL on 127.0.0.1:$port (data and logs in $root)" >&2
fi

for _ in $(seq 1 60); do "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" && break; sleep 0.5; done
"$bin/pg_isready" -q -h 127.0.0.1 -p "$port" || { echo "PostgreSQL did not become ready on port $port" >&2; exit 1; }

psql() { "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtAc "$1"; }
if [ "$(psql "SELECT 1 FROM pg_database WHERE datname = '$database'")" != 1 ]; then
  psql "CREATE DATABASE $database" >&2
fi

echo "export CITYTWIN_TEST_POSTGRES='Host=127.0.0.1;Port=$port;Username=postgres;Database=$database;Timeout=15'"
