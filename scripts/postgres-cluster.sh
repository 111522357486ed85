#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for tests: fast (no fsync), reachable only from this machine,
# and gone without a trace when stopped.
#   scripts/postgres-cluster.sh start DIR   initdb into DIR (must be missing or empty), start the
#                                          server on a free port of 127.0.0.1 and print its URL,
#                                          postgres://postgres@127.0.0.1:PORT/postgres, as the only
#                                          line on stdout; the port is also written to DIR/port
#   scripts/postgres-cluster.sh stop DIR    stop that server at once and remove DIR
#   scripts/postgres-cluster.sh down DIR    stop that server as a restart does: every connection cut,
#                                          committed work kept (the cluster runs with
#                                          synchronous_commit off, so a crash could lose the last)
#   scripts/postgres-cluster.sh up DIR      start it again, on the same port (after `down`)
# Run as root, the server runs as the `postgres` user (initdb refuses root), so DIR and every
# directory above it must be reachable by that user. Progress and errors go to stderr.
set -euo pipefail

die() { echo "postgres-cluster.sh: $*" >&2; exit 1; }
usage() { die "usage: $0 start|stop|down|up DIR"; }

[ $# -eq 2 ] || usage
action=$1
dir=$2
[ -n "$dir" ] || usage

# The server binaries: pg_config's, else Debian's versioned directory (PATH may lack initdb).
find_bindir() {
  local candidate
  if command -v pg_config >/dev/null 2>&1; then
    candidate=$(pg_config --bindir 2>/dev/null || true)
    if [ -n "$candidate" ] && [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then
      echo "$candidate"; return
    fi
  fi
  for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then
      echo "$candidate"; return
    fi
  done
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"; return
  fi
  die "cannot find initdb and pg_ctl (install PostgreSQL's server package, e.g. Debian's postgresql)"
}

# Runs a command as the cluster's owner: `postgres` when we are root, ourselves otherwise.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    if command -v runuser >/dev/null 2>&1; then
      runuser -u postgres -- "$@"
    else
      su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
    fi
  else
    "$@"
  fi
}

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
  else
    echo $(( 20000 + RANDOM % 40000 ))
  fi
}

start() {
  local bindir port attempt log
  bindir=$(find_bindir)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [ -z "$(ls -A "$dir")" ] || die "$dir is not empty: give a new or empty directory"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root needs a 'postgres' user to own the cluster"
    chown postgres: "$dir"
    chmod 700 "$dir"
    as_owner test -w "$dir" \
      || die "the postgres user cannot reach $dir: every directory above it must be searchable by it (chmod o+x)"
  fi
  # initdb wants an empty directory: its output goes to a temporary file, then into DIR.
  log=$(mktemp)
  if ! as_owner "$bindir/initdb" -D "$dir" -U postgres -A trust -E UTF8 --no-locale --no-sync \
      >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"
    die "initdb into $dir failed"
  fi
  mv "$log" "$dir/initdb.log"

  cat >"$dir/pg_hba.conf" <<'HBA'
# Throw-away test cluster: anyone on this machine, no password.
local   all   all                 trust
host    all   all   127.0.0.1/32  trust
HBA

  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    # Later settings win: this block overrides initdb's defaults, and a retry's block the last one.
    cat >>"$dir/postgresql.conf" <<CONF

# postgres-cluster.sh (attempt $attempt)
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
    if as_owner "$bindir/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start >/dev/null 2>&1; then
      echo "$port" >"$dir/port"
      [ "$(id -u)" -ne 0 ] || chown postgres: "$dir/port" "$dir/initdb.log"
      echo "postgres://postgres@127.0.0.1:$port/postgres"
      return
    fi
    # Most likely another process took the port in the meantime: try another one.
    grep -q 'could not bind\|Address already in use' "$dir/server.log" 2>/dev/null || break
  done
  tail -n 20 "$dir/server.log" >&2 2>/dev/null || true
  die "the server in $dir did not start (log: $dir/server.log)"
}

stop() {
  local bindir
  [ -d "$dir" ] || die "$dir does not exist"
  dir=$(cd "$dir" && pwd)
  # Refuse to remove anything that is not a cluster: DIR is deleted below.
  [ -f "$dir/PG_VERSION" ] || die "$dir is not a PostgreSQL cluster (no PG_VERSION): not removing it"
  if [ -f "$dir/postmaster.pid" ]; then
    bindir=$(find_bindir)
    as_owner "$bindir/pg_ctl" -D "$dir" -m immediate -w stop >/dev/null 2>&1 \
      || echo "postgres-cluster.sh: pg_ctl stop failed for $dir (server already gone?)" >&2
  fi
  rm -rf "$dir"
}

down() {
  [ -f "$dir/PG_VERSION" ] || die "$dir is not a PostgreSQL cluster (no PG_VERSION)"
  as_owner "$(find_bindir)/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || die "pg_ctl stop failed for $dir"
}

up() {
  [ -f "$dir/PG_VERSION" ] || die "$dir is not a PostgreSQL cluster (no PG_VERSION)"
  as_owner "$(find_bindir)/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start >/dev/null 2>&1 \
    || die "the server in $dir did not start again (log: $dir/server.log)"
}

case "$action" in
  start) start ;;
  stop) stop ;;
  down) down ;;
  up) up ;;
  *) usage ;;
esac
