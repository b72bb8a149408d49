#!/usr/bin/env bash
# The whole test suite (README: `npm test`). Makes sure PostgreSQL, Redis and SIPp are there
# (starting throwaway ones when they are not), then runs every workspace's tests, the
# end-to-end scenarios and a short benchmark smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules ] || npm install --no-audit --no-fund

# shellcheck source=scripts/test-env.sh
. scripts/test-env.sh
trap test_env_cleanup EXIT

export TURBO_TELEMETRY_DISABLED=1
log=$(mktemp)
status=0
npx turbo run typecheck test --continue --log-order=grouped 2>&1 | tee "$log" || status=$?

echo "== lint (eslint: layer order, no cycles; prettier)"
npm run --silent lint || status=$?

echo "== benchmark smoke run"
npm run --silent bench:register -- --smoke 2>&1 | tee -a "$log" || status=$?
npm run --silent bench:calls -- --smoke 2>&1 | tee -a "$log" || status=$?
npm run --silent bench:bulk -- --smoke 2>&1 | tee -a "$log" || status=$?

# ava prints "N tests passed" / "N tests failed" per package; add them up for one closing line.
read -r passed failed < <(awk '
  match($0, /[0-9]+ tests? passed/) { p += substr($0, RSTART) + 0 }
  match($0, /[0-9]+ tests? failed/) { f += substr($0, RSTART) + 0 }
  END { print p + 0, f + 0 }' "$log")
rm -f "$log"
[ "$failed" -eq 0 ] || status=1
echo "$passed passed, $failed failed"
exit "$status"
