#!/usr/bin/env bash
# The layer boundaries (.dependency-cruiser.cjs) checked with dependency-cruiser, which lives in
# tools/boundaries with the last TypeScript that has a JS API (6.0.3: it cannot read TypeScript with the
# project's native TypeScript 7). Installs it there from its lock the first time. Arguments go to
# depcruise; without any, checks src/ and web/src against the rules, less the known violations listed in
# .dependency-cruiser-known-violations.json (debt to pay off; a new violation fails).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tool="$root/tools/boundaries"
if [ ! -x "$tool/node_modules/.bin/depcruise" ]; then
  npm ci --prefix "$tool" --no-audit --no-fund --loglevel=error >/dev/null
fi
if [ $# -eq 0 ]; then
  cd "$root"
  set -- --ignore-known .dependency-cruiser-known-violations.json --output-type err src web/src
fi
exec "$tool/node_modules/.bin/depcruise" --config "$root/.dependency-cruiser.cjs" "$@"
