#!/usr/bin/env bash
# Builds and tests everything. The ML.NET layer (projects named Microsoft.ML.*) is built and tested only
# where its packages (Microsoft.ML, Microsoft.ML.OnnxTransformer) restore; elsewhere it is skipped with one
# line saying so. Extra NuGet sources for it can be given in FREEENERGY_EXTRA_NUGET_SOURCE.
# Ends with one summary line: "Tests: N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
config=${CONFIGURATION:-Release}
extra=()
if [ -n "${FREEENERGY_EXTRA_NUGET_SOURCE:-}" ]; then
  extra=("-p:RestoreAdditionalProjectSources=${FREEENERGY_EXTRA_NUGET_SOURCE}")
fi

# Test helpers that live outside .NET (ONNX Runtime via Node for the export tests).
if [ -x build/prepare-test-tools.sh ]; then build/prepare-test-tools.sh || { echo "error: build/prepare-test-tools.sh failed"; exit 1; }; fi

tests=()
if ! ls -d tests/Microsoft.ML.*/ >/dev/null 2>&1; then
  echo "SKIPPED: the ML.NET layer (Microsoft.ML.FreeEnergy): no such project in this tree yet."
fi
for p in tests/*/; do
  name=$(basename "$p")
  [ -f "$p/$name.csproj" ] || continue
  case "$name" in
    *Benchmarks*) continue ;;
    Microsoft.ML.*)
      if dotnet restore "$p/$name.csproj" "${extra[@]}" > /tmp/freeenergy-mlnet-restore.log 2>&1; then
        tests+=("$p/$name.csproj")
      else
        reason=$(grep -m1 -oE "NU1101[^[]*|Unable to find package [^ ]+[^[]*" /tmp/freeenergy-mlnet-restore.log | head -1)
        echo "SKIPPED: $name (the ML.NET layer): its packages do not restore here (${reason:-see /tmp/freeenergy-mlnet-restore.log}). Set FREEENERGY_EXTRA_NUGET_SOURCE to a feed with Microsoft.ML 5.0.0 to include it."
      fi ;;
    *) tests+=("$p/$name.csproj") ;;
  esac
done

# Build every non-ML.NET project (the samples and the benchmarks too), so nothing rots unbuilt.
build_list=(src/FreeEnergy*/ samples/*/ tests/FreeEnergy.Benchmarks/)
for p in "${build_list[@]}"; do
  [ -d "$p" ] || continue
  proj=$(ls "$p"*.csproj 2>/dev/null | head -1)
  [ -n "$proj" ] || continue
  dotnet build "$proj" -c "$config" -nologo -v q "${extra[@]}" || { echo "error: build failed: $proj"; echo "Tests: 0 passed, 1 failed, 0 skipped"; exit 1; }
done

passed=0; failed=0; skipped=0; status=0
for t in "${tests[@]}"; do
  log=$(mktemp)
  dotnet test "$t" -c "$config" -nologo "${extra[@]}" --logger "console;verbosity=normal" 2>&1 | tee "$log" | grep -E "^\s*(Failed|Skipped) |error|Total tests|^\s+(Passed|Failed|Skipped): |Error Message" || true
  rc=${PIPESTATUS[0]}
  total=$(grep -E "^\s*Total tests: [0-9]+" "$log" | tail -1)
  count() { grep -E "^\s+$1: [0-9]+\s*$" "$log" | tail -1 | grep -oE "[0-9]+" || echo 0; }
  p=$(count Passed); f=$(count Failed); s=$(count Skipped)
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  if [ "$rc" -ne 0 ]; then status=1; [ -n "$total" ] || failed=$((failed + 1)); echo "error: $t failed (exit $rc)"; fi
  rm -f "$log"
done
echo "Tests: $passed passed, $failed failed, $skipped skipped"
exit $status
