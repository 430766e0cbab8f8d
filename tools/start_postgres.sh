#!/bin/sh
# A throwaway PostgreSQL server for the register tests, on loopback only.
#
#   eval "$(tools/start_postgres.sh)"     # exports MAKE_NOTICES_PG_URL (and MAKE_NOTICES_PG_REQUIRED=1)
#
# Installs the Debian `postgresql` package if no server binaries are found, creates a cluster
# in a temporary folder (trust authentication, listening on 127.0.0.1 only), starts it, and
# creates the test database. Idempotent: when the server already answers it only makes sure
# the database exists. Only the export lines go to stdout; everything else goes to stderr.
#
# Settings (environment): MAKE_NOTICES_PG_PORT (54329), MAKE_NOTICES_PG_DIR
# (${TMPDIR:-/tmp}/make-notices-pg-$PORT), MAKE_NOTICES_PG_DB (make_notices_test).
# Stop it with: tools/start_postgres.sh --stop
set -eu

PORT="${MAKE_NOTICES_PG_PORT:-54329}"
DIR="${MAKE_NOTICES_PG_DIR:-${TMPDIR:-/tmp}/make-notices-pg-$PORT}"
DB="${MAKE_NOTICES_PG_DB:-make_notices_test}"
SUPERUSER=postgres
HOST=127.0.0.1

say() { echo "start_postgres: $*" >&2; }
die() { say "$*"; exit 1; }

find_bindir() {
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
    done
    d="$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")"
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
    return 1
}

BINDIR="$(find_bindir || true)"
if [ -z "$BINDIR" ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    say "installing the postgresql package"
    $SUDO apt-get update -qq >&2
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2
    BINDIR="$(find_bindir)" || die "postgresql was installed but initdb/pg_ctl cannot be found"
fi

# PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres user.
if [ "$(id -u)" -eq 0 ]; then
    id "$SUPERUSER" >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/sh "$SUPERUSER"
    as_owner() { (cd / && runuser -u "$SUPERUSER" -- "$@"); }
else
    as_owner() { "$@"; }
fi

answers() { "$BINDIR/pg_isready" -q -h "$HOST" -p "$PORT" -t 2 >/dev/null 2>&1; }

if [ "${1:-}" = "--stop" ]; then
    if [ -f "$DIR/data/postmaster.pid" ]; then
        as_owner "$BINDIR/pg_ctl" -D "$DIR/data" -m fast -w stop >&2 || true
    fi
    rm -rf "$DIR" "$DIR.lock"
    say "stopped; $DIR removed"
    exit 0
fi

# One start at a time (two test sessions starting together). The server must not inherit fd 9.
mkdir -p "$DIR"
if [ "$(id -u)" -eq 0 ]; then chown "$SUPERUSER" "$DIR"; fi
chmod 700 "$DIR"
if command -v flock >/dev/null 2>&1; then
    exec 9>"$DIR.lock"
    flock -w 120 9 || die "another start is holding $DIR.lock"
fi

if ! answers; then
    if [ ! -f "$DIR/data/PG_VERSION" ]; then
        say "creating a cluster in $DIR/data"
        rm -rf "$DIR/data"
        as_owner "$BINDIR/initdb" -D "$DIR/data" -U "$SUPERUSER" -E UTF8 --no-locale \
            --auth-local=trust --auth-host=reject >"$DIR/initdb.log" 2>&1 \
            || { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
        # Trust on loopback only: the unix socket (in $DIR, mode 700) and 127.0.0.1.
        cat >"$DIR/data/pg_hba.conf" <<EOF
local   all   all                 trust
host    all   all   127.0.0.1/32  trust
EOF
        cat >>"$DIR/data/postgresql.conf" <<EOF
listen_addresses = '$HOST'
port = $PORT
unix_socket_directories = '$DIR'
max_connections = 100
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
        if [ "$(id -u)" -eq 0 ]; then chown -R "$SUPERUSER" "$DIR"; fi
    fi
    say "starting PostgreSQL on $HOST:$PORT"
    as_owner "$BINDIR/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start >&2 9>&- \
        || { tail -n 20 "$DIR/server.log" >&2 || true; die "the server did not start (log: $DIR/server.log)"; }
    answers || die "the server started but does not answer on $HOST:$PORT"
fi

psql_() { "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$HOST" -p "$PORT" -U "$SUPERUSER" -d postgres "$@"; }
if [ "$(psql_ -tA -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != "1" ]; then
    psql_ -c "CREATE DATABASE \"$DB\"" >&2 || die "cannot create the database $DB on $HOST:$PORT"
fi

echo "export MAKE_NOTICES_PG_URL=postgresql://$SUPERUSER@$HOST:$PORT/$DB"
echo "export MAKE_NOTICES_PG_REQUIRED=1"
