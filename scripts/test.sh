#!/usr/bin/env bash
# Every test: Rust unit and HTTP tests, then the Playwright suite against a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh test
source scripts/env.sh
start=$(date +%s)

echo "==> style gates: rustfmt, clippy (server side and the wasm build)"
cargo fmt --all --check
# One server-side run (app with its tests, server, bench): one dependency graph to check.
cargo clippy -p app -p server -p bench --all-targets --features app/ssr -- -D warnings
cargo clippy -p frontend -p app --features app/hydrate --target wasm32-unknown-unknown -- -D warnings

echo "==> a throw-away PostgreSQL cluster for the PostgreSQL runs"
pg_work=$(mktemp -d)
# Run as root, the cluster belongs to the postgres user, which must be able to reach it.
chmod 755 "$pg_work"
postgres=$(scripts/postgres-cluster.sh start "$pg_work/cluster")
trap 'scripts/postgres-cluster.sh stop "$pg_work/cluster" >/dev/null 2>&1 || true; rm -rf "$pg_work"' EXIT

echo "==> the SQLite and PostgreSQL migrations agree"
POSTGRES_URL=$postgres scripts/check-schema.sh

echo "==> Rust tests, on SQLite and on PostgreSQL"
# `app` is tested with its server side on; the frontend only builds for wasm. Built once, then
# each suite runs on both engines at the same time (the HTTP and process tests mostly wait).
cargo test -p app --features ssr --no-run
cargo test -p server --no-run
both_engines() {
  local name=$1; shift
  "$@" >"$pg_work/$name-sqlite.log" 2>&1 &
  local sqlite=$!
  TEST_POSTGRES=$postgres "$@" >"$pg_work/$name-postgres.log" 2>&1 &
  local pg=$!
  local failed=0
  wait $sqlite || { echo "--- $name on SQLite failed:"; cat "$pg_work/$name-sqlite.log"; failed=1; }
  wait $pg || { echo "--- $name on PostgreSQL failed:"; cat "$pg_work/$name-postgres.log"; failed=1; }
  grep -h "^test result" "$pg_work/$name-sqlite.log" "$pg_work/$name-postgres.log" | sed "s/^/$name: /"
  return $failed
}
both_engines app cargo test -p app --features ssr
both_engines server cargo test -p server
# The benchmark harness's own checks (reading wrk's report); the benchmark itself is `make bench`.
cargo test -p bench

echo "==> release build (server + size-optimised wasm)"
cargo leptos build --release --precompress

echo "==> end-to-end tests (Playwright, Chromium: ${CHROMIUM_PATH:-bundled with Playwright})"
(cd end2end && npx playwright test)
echo "==> end-to-end tests again, on PostgreSQL"
psql -X -q -v ON_ERROR_STOP=1 -d "$postgres" -c "CREATE DATABASE e2e"
(cd end2end && E2E_DATABASE_URL="${postgres%/*}/e2e" npx playwright test)

echo "==> Lighthouse (mobile): accessibility, best practices, SEO 100; performance >= 95; CLS 0"
(cd end2end && node lighthouse.mjs)

echo "==> all tests passed in $(( $(date +%s) - start ))s (after bootstrap)"
