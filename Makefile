# The two commands a newcomer needs (see README.md).
SHELL := /bin/bash

.PHONY: run test release bootstrap

## Run the site with demo content on SQLite at http://127.0.0.1:3000 (live reload).
run: bootstrap
	source scripts/env.sh && cargo leptos watch

## Every test: Rust (app + server) and Playwright against a release build.
test:
	scripts/test.sh

## Production build: target/release/server plus target/site.
release: bootstrap
	source scripts/env.sh && cargo leptos build --release --precompress

bootstrap:
	scripts/bootstrap.sh
