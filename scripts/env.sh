# Sourced by the Makefile's commands: puts the tools bootstrap.sh installed on PATH.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$root/end2end/node_modules/.bin:$PATH"
if [ -z "${CHROMIUM_PATH:-}" ] && command -v chromium >/dev/null; then
  export CHROMIUM_PATH="$(command -v chromium)"
fi
