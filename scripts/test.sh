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

echo "==> the SQLite and PostgreSQL migrations agree (a throw-away PostgreSQL cluster)"
scripts/check-schema.sh

echo "==> Rust tests"
# `app` is tested with its server side on; the frontend only builds for wasm.
cargo test -p app --features ssr
cargo test -p server
# The benchmark harness's own checks (reading wrk's report); the benchmark itself is `make bench`.
cargo test -p bench

echo "==> release build (server + size-optimised wasm)"
cargo leptos build --release --precompress

echo "==> end-to-end tests (Playwright, Chromium: ${CHROMIUM_PATH:-bundled with Playwright})"
(cd end2end && npx playwright test)

echo "==> Lighthouse (mobile): accessibility, best practices, SEO 100; performance >= 95; CLS 0"
(cd end2end && node lighthouse.mjs)

echo "==> all tests passed in $(( $(date +%s) - start ))s (after bootstrap)"
