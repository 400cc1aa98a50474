#!/bin/sh
# Run a command with DATABASE_URL pointing at a throwaway PostgreSQL cluster on loopback.
#
#     sh scripts/with-postgres.sh COMMAND [ARG...]
#
# COMMAND gets DATABASE_URL (TCP on 127.0.0.1) and DATABASE_SOCKET_URL (the same database through the
# cluster's Unix socket).
#
# Needs PostgreSQL's server programs (Debian: apt-get install postgresql); the cluster lives in a temporary
# folder, listens on 127.0.0.1:$TEST_PG_PORT (default: a free port) and a private socket, and is stopped and
# deleted on exit. As root, the server runs as the `postgres` user (initdb refuses root). The database
# `podcast` is empty; its user may create databases (the tests create `test_podcast`).
set -eu

# A free port chosen by the system unless TEST_PG_PORT says which.
port="${TEST_PG_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "with-postgres: PostgreSQL server programs not found (apt-get install postgresql)" >&2
  exit 1
fi

as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# mktemp makes the folder private (0700): only its owner reaches the socket, so local logins need no password.
cluster="$(mktemp -d /tmp/podcast-pg.XXXXXX)"
if [ "$(id -u)" = 0 ]; then chown postgres "$cluster"; fi
stop() {
  as_owner "$bindir/pg_ctl" -D "$cluster/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$cluster"
}
trap stop EXIT
trap 'exit 130' INT TERM

password="$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"
# An ICU en-US collation like a production server's, not "C": tests then catch ordering that only
# holds for byte order. No durability needed for a cluster that is deleted afterwards.
# Chained with &&: set -e does not apply inside a group whose status is tested.
here="$(pwd)"
cd / &&
  as_owner "$bindir/initdb" -D "$cluster/data" -U postgres -E UTF8 --locale=C.UTF-8 \
    --locale-provider=icu --icu-locale=en-US --auth-local=trust --auth-host=scram-sha-256 >/dev/null &&
  as_owner "$bindir/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w -s start \
    -o "-k $cluster -h 127.0.0.1 -p $port -c fsync=off -c synchronous_commit=off -c full_page_writes=off" &&
  as_owner "$bindir/psql" -h "$cluster" -p "$port" -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE podcast LOGIN CREATEDB PASSWORD '$password'" -c "CREATE DATABASE podcast OWNER podcast" ||
  { cat "$cluster/server.log" >&2 2>/dev/null; exit 1; }
cd "$here"

echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
# The same database through the cluster's Unix socket (its folder as the host, percent-encoded), as a site
# whose PostgreSQL runs on the same machine connects: bench/load.py uses it unless told otherwise.
socket_host="$(printf '%s' "$cluster" | sed 's|/|%2F|g')"
DATABASE_SOCKET_URL="postgres://podcast:$password@$socket_host:$port/podcast" \
  DATABASE_URL="postgres://podcast:$password@127.0.0.1:$port/podcast" "$@"
