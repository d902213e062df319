#!/usr/bin/env bash
# Starts a private PostgreSQL cluster for the tests and benchmarks, on 127.0.0.1 only, in a temporary
# directory, and prints the connection string to export as VRS_TEST_POSTGRES:
#
#   eval "$(deploy/postgres/start-test-postgres.sh)"      # sets VRS_TEST_POSTGRES and VRS_TEST_POSTGRES_DIR
#   deploy/postgres/start-test-postgres.sh --stop DIR      # stops it and removes DIR
#
# Uses Debian's PostgreSQL server binaries (apt-get install postgresql); PORT (default 55432) chooses the port,
# OWNER_PID ties the cluster's life to a process (the tests start their own this way when VRS_TEST_POSTGRES is unset),
# FAST=1 turns off fsync for a test run that measures nothing (.ci/run): a lost cluster costs nothing, a slow disk
# costs minutes. Lock waits over a second are logged to DIR/server.log, which .ci/run prints when the run fails.
# PostgreSQL refuses to run as root, so as root the cluster belongs to the 'postgres' system user.
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -x "$bindir/initdb" ]] || { echo "PostgreSQL server binaries not found: apt-get install -y postgresql" >&2; exit 1; }

run() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# The cluster's user may not enter the caller's directory; nothing here depends on it.
self=$(readlink -f "$0")
cd /

if [[ ${1:-} == --stop ]]; then
    run "$bindir/pg_ctl" -D "$2/data" -m fast stop >/dev/null
    rm -rf "$2"
    exit 0
fi

port=${PORT:-55432}
dir=$(mktemp -d -t vrs-postgres-XXXXXX)
chmod 755 "$dir"
[[ $(id -u) == 0 ]] && chown postgres "$dir"
user=vrs_test
# Trust on loopback only: a throwaway cluster for tests, reachable from this machine alone.
run "$bindir/initdb" -D "$dir/data" -U "$user" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
options="-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300 -c log_lock_waits=on"
[[ ${FAST:-} == 1 ]] && options+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
run "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "$options" start >/dev/null
run "$bindir/createdb" -h 127.0.0.1 -p "$port" -U "$user" vrs_test
# OWNER_PID: stop and remove the cluster once that process has gone (a test run that starts its own server).
if [[ -n ${OWNER_PID:-} ]]; then
    setsid bash -c 'while kill -0 "$0" 2>/dev/null; do sleep 2; done; exec "$1" --stop "$2"' "$OWNER_PID" "$self" "$dir" </dev/null >/dev/null 2>&1 &
fi
echo "export VRS_TEST_POSTGRES='Host=127.0.0.1;Port=$port;Username=$user;Database=vrs_test;Maximum Pool Size=50'"
echo "export VRS_TEST_POSTGRES_DIR='$dir'"
