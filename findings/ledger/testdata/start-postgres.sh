#!/bin/sh
# Starts a throwaway PostgreSQL on 127.0.0.1:54329 for the ledger test suite
# and prints the DSN to export as GHOSTAUDIT_TEST_POSTGRES. Needs root (it
# runs the server as the postgres user) and the Debian/Ubuntu postgresql
# package: apt-get update && apt-get install -y postgresql
set -eu
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)}
PGDATA=${PGDATA:-/tmp/ghostaudit-pg}
PORT=${PORT:-54329}
rm -rf "$PGDATA"
mkdir -p "$PGDATA"
chown postgres:postgres "$PGDATA"
su postgres -c "$PGBIN/initdb -D $PGDATA -A trust -U postgres" >/dev/null
su postgres -c "$PGBIN/pg_ctl -D $PGDATA -l $PGDATA/server.log -o '-k /tmp -p $PORT -h 127.0.0.1' -w start" >/dev/null
su postgres -c "psql -h 127.0.0.1 -p $PORT -U postgres -qc 'CREATE DATABASE ghostaudit_test'"
echo "postgres://postgres@127.0.0.1:$PORT/ghostaudit_test?sslmode=disable"
# Stop with: su postgres -c "$PGBIN/pg_ctl -D $PGDATA -m fast stop"
