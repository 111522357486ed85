#!/usr/bin/env bash
# Installs what building, running and testing the site needs, skipping whatever is already
# there. Safe to run again and again; a warm machine finishes in seconds.
#   scripts/bootstrap.sh          toolchain, cargo-leptos, wasm-bindgen-cli, npm packages (wasm-opt)
#   scripts/bootstrap.sh test     the above plus what the tests drive: a Chromium (end-to-end
#                                 tests) and nginx (the reverse-proxy test)
#   scripts/bootstrap.sh bench    the above plus wrk (load generator) and nginx (static baseline)
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.11
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# 1. Rust, pinned by rust-toolchain.toml, with the wasm target.
command -v rustup >/dev/null || { echo "rustup is required (https://rustup.rs)"; exit 1; }
channel=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
if ! rustup target list --installed --toolchain "$channel" 2>/dev/null | grep -qx wasm32-unknown-unknown \
  || ! rustup component list --installed --toolchain "$channel" 2>/dev/null | grep -q '^clippy'; then
  say "installing Rust $channel with wasm32-unknown-unknown, rustfmt and clippy"
  rustup toolchain install "$channel" --profile minimal --target wasm32-unknown-unknown --component rustfmt --component clippy
fi

# 2. cargo-leptos, the build tool (takes ~10 minutes to compile once).
if [ "$(cargo leptos --version 2>/dev/null)" != "cargo-leptos $CARGO_LEPTOS_VERSION" ]; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
fi

# 3. wasm-bindgen CLI at exactly the version in Cargo.lock, or the wasm will not load.
# (No --locked: its own lockfile names a crate version the registry does not serve.)
wbg=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wbg" ]; then
  say "installing wasm-bindgen-cli $wbg"
  cargo install wasm-bindgen-cli --version "$wbg" --force
fi

# 4. npm packages: Playwright, axe-core and Lighthouse for the tests, binaryen for wasm-opt (release builds).
if [ ! -f end2end/node_modules/.package-lock.json ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "installing npm packages in end2end/"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

# 5. A browser, only for the tests.
if [ "${1:-}" = "test" ]; then
  if [ -n "${CHROMIUM_PATH:-}" ] && [ -x "$CHROMIUM_PATH" ]; then
    :
  elif command -v chromium >/dev/null; then
    :
  elif command -v apt-get >/dev/null; then
    say "installing Debian's chromium"
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get install -y chromium || { $sudo_cmd apt-get update && $sudo_cmd apt-get install -y chromium; }
  else
    say "installing Playwright's own Chromium"
    (cd end2end && npx playwright install chromium)
  fi
fi
# 6. Debian packages: nginx for the tests (a reverse proxy in front of the server) and the
#    benchmark (its static baseline); wrk, the benchmark's load generator; PostgreSQL and the
#    sqlite3 shell for the tests (scripts/check-schema.sh migrates a throw-away cluster).
packages=()
case "${1:-}" in
  test)
    [ -x /usr/sbin/nginx ] || packages+=(nginx)
    compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || packages+=(postgresql)
    command -v psql >/dev/null || packages+=(postgresql-client)
    command -v sqlite3 >/dev/null || packages+=(sqlite3)
    ;;
  bench) [ -x /usr/sbin/nginx ] || packages+=(nginx); command -v wrk >/dev/null || packages+=(wrk) ;;
esac
if [ ${#packages[@]} -gt 0 ]; then
  say "installing Debian's ${packages[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get install -y --no-install-recommends "${packages[@]}" \
    || { $sudo_cmd apt-get update && $sudo_cmd apt-get install -y --no-install-recommends "${packages[@]}"; }
fi
say "bootstrap complete"
