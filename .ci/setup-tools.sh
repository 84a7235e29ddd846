#!/usr/bin/env bash
# Install the outside tools the tests use: those that tests/export opens the exports with:
#   graphviz (dot renders the DOT export), chromium + chromium-driver (headless browser for the
#   HTML export), and cytoscape.js under Node (tests/js, pinned by its package-lock.json);
# and Virtuoso 7 (virtuoso-t), the SPARQL server the tests publish to and query (tests/servers.py;
#   the Oxigraph server comes with `pip install -e .[dev]`).
# Idempotent and quiet: what is already installed is not fetched again, and the installers'
# output is shown only when they fail. apt-get needs root (sudo is used when not root); Node.js
# and npm come from the PATH or, when absent, from Debian.
set -euo pipefail
cd "$(dirname "$0")/.."

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
quietly() {
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    echo "setup-tools: failed: $*" >&2
    exit 1
  fi
}

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# The Debian packages for the tools not yet on the PATH (a tool already there is kept as is).
package_for() {
  case "$1" in
    dot) echo graphviz ;;
    chromium) echo chromium ;;
    chromedriver) echo chromium-driver ;;
    npm) echo nodejs npm ;;
    virtuoso-t) echo virtuoso-opensource ;;
  esac
}
missing=()
for tool in dot chromium chromedriver npm virtuoso-t; do
  if ! command -v "$tool" >/dev/null; then
    read -ra packages <<<"$(package_for "$tool")"
    missing+=("${packages[@]}")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup-tools: apt-get install ${missing[*]}"
  quietly $SUDO apt-get update -qq
  quietly $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "${missing[@]}"
fi

if [ ! -d tests/js/node_modules/cytoscape ] \
   || [ tests/js/package-lock.json -nt tests/js/node_modules/.package-lock.json ]; then
  echo "setup-tools: npm ci in tests/js"
  (cd tests/js && quietly npm ci --no-audit --no-fund)
fi

for tool in dot chromium chromedriver node virtuoso-t; do
  command -v "$tool" >/dev/null || { echo "setup-tools: $tool is still missing" >&2; exit 1; }
done
echo "setup-tools: ok (graphviz, chromium, chromedriver, node with cytoscape.js, virtuoso)"
