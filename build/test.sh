#!/usr/bin/env bash
# Builds every project of FreeEnergyML.sln and runs every test project (tests/*/ with IsTestProject), then the scale-out
# tests (tests/scale/run.sh).
# Exits non-zero when a project fails to build, a test fails, a test project ends without its summary, or no test ran,
# and shows each failure with its name and message. Ends with one line: "Tests: N passed, N failed, N skipped".
# FREEENERGY_TEST_FILTER=EXPR passes --filter EXPR to every test project (build/check-test-script.sh uses it).
set -uo pipefail
cd "$(dirname "$0")/.."
config=${CONFIGURATION:-Release}
filter=${FREEENERGY_TEST_FILTER:-}
passed=0; failed=0; skipped=0; status=0
summary() { echo "Tests: $passed passed, $failed failed, $skipped skipped"; }

# One build of the whole solution: engine, ONNX, ML.NET layer, CLI, samples, benchmarks and tests.
if ! dotnet build FreeEnergyML.sln -c "$config" -nologo -v q -clp:ErrorsOnly; then
  echo "error: the build failed (dotnet build FreeEnergyML.sln -c $config)"; failed=1; summary; exit 1
fi

log=$(mktemp); trap 'rm -f "$log"' EXIT
for t in tests/*/*.csproj; do
  grep -q '<IsTestProject>true</IsTestProject>' "$t" || continue
  args=(test "$t" -c "$config" --no-build -nologo)
  [ -n "$filter" ] && args+=(--filter "$filter")
  dotnet "${args[@]}" >"$log" 2>&1
  rc=$?
  # Minimal verbosity prints each failed test with its message and stack trace, then one summary line.
  grep -vE '^(Test run for |VSTest version|Starting test execution|A total of [0-9]+ test files? matched)' "$log"
  line=$(grep -E '^(Passed|Failed)!\s+- Failed:' "$log" | tail -1)
  if [ -z "$line" ]; then
    if [ -n "$filter" ] && grep -q 'No test matches the given testcase filter' "$log" && [ "$rc" -eq 0 ]; then continue; fi
    echo "error: $t ended without a test summary (exit $rc)"; failed=$((failed + 1)); status=1; continue
  fi
  num() { echo "$line" | grep -oE "$1: +[0-9]+" | grep -oE '[0-9]+$'; }
  passed=$((passed + $(num Passed))); failed=$((failed + $(num Failed))); skipped=$((skipped + $(num Skipped)))
  if [ "$rc" -ne 0 ]; then echo "error: $t: dotnet test exited $rc"; status=1; fi
done

# The scale-out tests (Python, Dask LocalCluster over the published freeenergy binary); not part of a filtered run.
if [ -z "$filter" ]; then
  tests/scale/run.sh >"$log" 2>&1
  rc=$?
  cat "$log"
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
  if [ -z "$line" ]; then
    echo "error: tests/scale/run.sh ended without its summary (exit $rc)"; failed=$((failed + 1)); status=1
  else
    passed=$((passed + $(echo "$line" | grep -oE '^[0-9]+'))); failed=$((failed + $(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')))
    [ "$rc" -eq 0 ] || { echo "error: tests/scale/run.sh exited $rc"; status=1; }
  fi
fi

if [ "$failed" -gt 0 ]; then status=1; fi
if [ $((passed + failed)) -eq 0 ]; then echo "error: no test ran"; status=1; fi
summary
exit $status
