#!/usr/bin/env bash
# The whole check behind `npm test`: what the tests need (installed when missing: scripts/test-deps.sh),
# types, lint and format, build, then every test file.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s globstar nullglob
bash scripts/test-deps.sh
echo "== typecheck"; npx tsc -p tsconfig.json; npx tsc -p web/tsconfig.json
echo "== lint and format"; npx biome check .
# The layers' boundaries (.dependency-cruiser.cjs; test/boundaries.test.ts shows each rule failing).
echo "== boundaries"; bash scripts/boundaries.sh
echo "== build"; npm run build --silent
echo "== tests"
files=(test/**/*.test.ts)
# spec reporter for people, and TAP's closing summary lines (# tests / # pass / # fail) for CI.
status=0
node --import tsx --test --test-concurrency=2 --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination=test-output.tap "${files[@]}" || status=$?
# About a minute of fuzzing with a seed from the commit (printed: `npm run fuzz -- --seed S --index I`
# rebuilds any finding). It fails on an exception, a validation over 5 s of CPU, or a mutant with no
# answer in 5 minutes (a generous stall limit: CI machines are shared).
echo "== fuzz"
npm run fuzz --silent -- --seconds 60 --stall-ms 300000 || status=$?
# The test summary last, so that the closing lines are the runner's counts.
grep -E '^# (tests|pass|fail|cancelled|skipped|todo)' test-output.tap || true
exit $status
