#!/usr/bin/env bash
# The postgres stand-in's entrypoint (docker/postgres/Dockerfile): on an empty $PGDATA, initdb with
# POSTGRES_USER as the superuser and POSTGRES_PASSWORD (scram-sha-256 over TCP, trust on the socket, as
# the official image), then POSTGRES_DB; then the server. The set-up server listens on a private socket
# only, so the health check (pg_isready on the default socket) passes only once the real server runs.
set -euo pipefail
POSTGRES_USER=${POSTGRES_USER:-postgres}
POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}

if [[ ! -s $PGDATA/PG_VERSION ]]; then
  if [[ -z ${POSTGRES_PASSWORD:-} ]]; then
    echo "postgres-entrypoint: POSTGRES_PASSWORD is not set" >&2
    exit 1
  fi
  initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 -D "$PGDATA"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  setup_socket=$(mktemp -d)
  pg_ctl -D "$PGDATA" -w -o "-c listen_addresses='' -c unix_socket_directories=$setup_socket" start
  if [[ $POSTGRES_DB != postgres ]]; then
    psql -v ON_ERROR_STOP=1 -h "$setup_socket" --username="$POSTGRES_USER" --dbname=postgres \
      -c "CREATE DATABASE \"$POSTGRES_DB\""
  fi
  pg_ctl -D "$PGDATA" -w -m fast stop
  rmdir "$setup_socket"
  echo "postgres-entrypoint: cluster made in $PGDATA (user $POSTGRES_USER, database $POSTGRES_DB)"
fi
exec "$@"
