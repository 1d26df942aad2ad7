#!/usr/bin/env bash
# Checks build/test.sh itself (CI runs this before the real test run): a planted failing test must make it exit
# non-zero and show the test's name and message, and a run in which no test runs must fail too.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp); trap 'rm -f "$log"' EXIT
fail() { echo "error: build/test.sh check: $1"; sed 's/^/  | /' "$log" | tail -40; exit 1; }

FREEENERGY_PLANT_FAILURE=1 FREEENERGY_TEST_FILTER='FullyQualifiedName~PlantedFailureTests' build/test.sh >"$log" 2>&1
rc=$?
[ "$rc" -ne 0 ] || fail "a planted failing test left the exit code 0"
grep -q 'Planted_failure_fails' "$log" || fail "the planted failure's test name is not shown"
grep -q 'planted failure: build/test.sh must report this test' "$log" || fail "the planted failure's message is not shown"
grep -qE '^Tests: 0 passed, 1 failed, 0 skipped$' "$log" || fail "the summary line does not count the planted failure"

FREEENERGY_TEST_FILTER='FullyQualifiedName~NoTestHasThisName' build/test.sh >"$log" 2>&1
[ $? -ne 0 ] || fail "a run in which no test ran exited 0"
grep -q 'error: no test ran' "$log" || fail "a run in which no test ran did not say so"
echo "test-script check: a planted failure and a run with no tests both make build/test.sh exit non-zero"
