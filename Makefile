# The two commands a newcomer needs (see README.md).
SHELL := /bin/bash

.PHONY: run test release bench bootstrap

## Run the site with demo content on SQLite at http://127.0.0.1:3000 (live reload).
## Development builds go to their own site root, so `make release`'s target/site (whose bundle
## names target/release/server links) is never overwritten; cargo-leptos reads LEPTOS_SITE_ROOT
## and hands it on to the server it starts.
DEV_SITE_ROOT := target/site-dev
run: bootstrap
	source scripts/env.sh && LEPTOS_SITE_ROOT=$(DEV_SITE_ROOT) cargo leptos watch

## Every test: Rust (app + server) and Playwright against a release build.
test:
	scripts/test.sh

## Production build: target/release/server plus target/site.
release: bootstrap
	source scripts/env.sh && cargo leptos build --release --precompress

## Benchmarks, not part of the tests (~15 minutes after the build): a 10,000-article site under
## wrk against static-file baselines; writes bench/RESULTS.md.
bench:
	scripts/bootstrap.sh bench
	source scripts/env.sh && cargo leptos build --release --precompress && cargo run --release -p bench

bootstrap:
	scripts/bootstrap.sh
