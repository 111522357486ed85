#!/usr/bin/env bash
# Fails when the SQLite and PostgreSQL migrations disagree: both folders must hold the same
# file names, and applying each folder in order to an empty database must give the same tables
# and views with the same column names. Only the engines' search machinery differs and is left
# out: SQLite's FTS5 shadow tables (article_search_data, _idx, _content, _docsize, _config) and
# PostgreSQL's article_search.document; SQLite's implicit article_search.rowid is listed.
#   scripts/check-schema.sh                     on a throw-away cluster (scripts/postgres-cluster.sh)
#   POSTGRES_URL=postgres://… scripts/check-schema.sh
#                                               on that server, in a fresh database
#                                               schema_check_<random>, dropped at the end
# Needs psql and sqlite3 (and, without POSTGRES_URL, PostgreSQL's server binaries).
set -euo pipefail
cd "$(dirname "$0")/.."

sqlite_dir=app/migrations/sqlite
postgres_dir=app/migrations/postgres

die() { echo "check-schema.sh: $*" >&2; exit 1; }
for tool in psql sqlite3; do
  command -v "$tool" >/dev/null || die "$tool is required"
done
[ -d "$sqlite_dir" ] || die "$sqlite_dir is missing"
[ -d "$postgres_dir" ] || die "$postgres_dir is missing"

work=$(mktemp -d)
# Run as root, the cluster belongs to the postgres user, which must be able to reach it.
chmod 755 "$work"
cluster=""
check_db=""
admin_url=""
cleanup() {
  local status=$?
  set +e
  if [ -n "$check_db" ]; then
    psql -X -q -v ON_ERROR_STOP=1 -d "$admin_url" \
      -c "DROP DATABASE IF EXISTS \"$check_db\" WITH (FORCE)" >/dev/null 2>&1 \
      || echo "check-schema.sh: could not drop database $check_db" >&2
  fi
  if [ -n "$cluster" ] && [ -d "$cluster" ]; then
    scripts/postgres-cluster.sh stop "$cluster" || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 1. The same steps on both sides.
if ! diff -u --label "$sqlite_dir" --label "$postgres_dir" \
    <(cd "$sqlite_dir" && ls -1 -- *.sql | LC_ALL=C sort) \
    <(cd "$postgres_dir" && ls -1 -- *.sql | LC_ALL=C sort); then
  die "the migration folders do not hold the same files"
fi

# 2. A PostgreSQL database to migrate.
# The URL of the same server with another database (keeps user, host, port and parameters).
with_database() {
  local url=$1 db=$2 query="" base scheme rest authority
  case "$url" in *\?*) query="?${url#*\?}" ;; esac
  base=${url%%\?*}
  case "$base" in *://*) ;; *) die "POSTGRES_URL must be a URL (postgres://user@host:port/db)" ;; esac
  scheme=${base%%://*}
  rest=${base#*://}
  authority=${rest%%/*}
  echo "$scheme://$authority/$db$query"
}
if [ -n "${POSTGRES_URL:-}" ]; then
  admin_url=$POSTGRES_URL
  check_db="schema_check_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
  psql -X -q -v ON_ERROR_STOP=1 -d "$admin_url" -c "CREATE DATABASE \"$check_db\"" >/dev/null \
    || { check_db=""; die "cannot create a database on POSTGRES_URL"; }
  pg_url=$(with_database "$admin_url" "$check_db")
else
  cluster="$work/pg"
  pg_url=$(scripts/postgres-cluster.sh start "$cluster") || { cluster=""; die "cannot start a PostgreSQL cluster"; }
fi

# 3. Every migration, in order, on both engines.
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
for file in "$postgres_dir"/*.sql; do
  psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d "$pg_url" -f "$file" >/dev/null \
    || die "PostgreSQL migration $file failed"
done
sqlite_db="$work/schema.db"
for file in "$sqlite_dir"/*.sql; do
  sqlite3 -bail "$sqlite_db" <"$file" >/dev/null || die "SQLite migration $file failed"
done

# 4. table_or_view.column on both sides, compared.
sqlite3 -bail -noheader -list "$sqlite_db" "
  SELECT m.name || '.' || c.name
  FROM sqlite_schema AS m, pragma_table_info(m.name) AS c
  WHERE m.type IN ('table', 'view')
    AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\'
    AND m.name <> '_sqlx_migrations'
    AND m.name NOT IN ('article_search_data', 'article_search_idx', 'article_search_content',
                       'article_search_docsize', 'article_search_config')
  UNION ALL
  SELECT 'article_search.rowid' FROM sqlite_schema WHERE name = 'article_search';
" | LC_ALL=C sort >"$work/sqlite.columns"
psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$pg_url" -c "
  SELECT table_name || '.' || column_name
  FROM information_schema.columns
  WHERE table_schema = 'public'
    AND table_name <> '_sqlx_migrations'
    AND NOT (table_name = 'article_search' AND column_name = 'document');
" | LC_ALL=C sort >"$work/postgres.columns"

[ -s "$work/sqlite.columns" ] || die "no columns listed on the SQLite side"
if ! diff -u --label sqlite --label postgres "$work/sqlite.columns" "$work/postgres.columns"; then
  echo "check-schema.sh: the SQLite and PostgreSQL schemas differ (see the diff above)" >&2
  exit 1
fi
tables=$(cut -d. -f1 "$work/sqlite.columns" | sort -u | wc -l)
columns=$(wc -l <"$work/sqlite.columns")
echo "schemas agree: $tables tables, $columns columns"
