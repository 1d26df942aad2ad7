#!/usr/bin/env bash
# Builds and tests everything. The ML.NET layer (projects referencing Microsoft.ML or Microsoft.ML.FreeEnergy) is built and tested only
# where its packages (Microsoft.ML, Microsoft.ML.OnnxTransformer, Microsoft.ML.OnnxRuntime) restore; elsewhere it is skipped with one
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

# The ML.NET layer: every project that references Microsoft.ML packages or Microsoft.ML.FreeEnergy
# (src/Microsoft.ML.FreeEnergy, tests/Microsoft.ML.FreeEnergy.Tests, samples/AnomalyDetection).
needs_mlnet() { grep -qE 'Include="Microsoft\.ML(\.OnnxTransformer|\.OnnxRuntime)?"|Microsoft\.ML\.FreeEnergy\.csproj' "$1"; }
mlnet_projects=()
for proj in src/*/*.csproj samples/*/*.csproj tests/*/*.csproj; do
  [ -f "$proj" ] && needs_mlnet "$proj" && mlnet_projects+=("$proj")
done

# Whether the ML.NET packages can be obtained from the configured sources (NuGet.config plus
# FREEENERGY_EXTRA_NUGET_SOURCE): a throwaway project restored into an empty packages folder, so that copies
# already in the global packages cache (~/.nuget/packages) cannot make the answer yes.
mlnet=0
mlnet_reason=""
if [ ${#mlnet_projects[@]} -gt 0 ]; then
  probe=$(mktemp -d)
  cp NuGet.config "$probe/"
  cat > "$probe/probe.csproj" <<'PROBE'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Microsoft.ML" Version="5.0.0" />
    <PackageReference Include="Microsoft.ML.OnnxTransformer" Version="5.0.0" />
    <PackageReference Include="Microsoft.ML.OnnxRuntime" Version="1.23.2" />
  </ItemGroup>
</Project>
PROBE
  if dotnet restore "$probe/probe.csproj" --packages "$probe/packages" "${extra[@]}" > /tmp/freeenergy-mlnet-restore.log 2>&1; then
    mlnet=1
  else
    mlnet_reason=$(grep -m1 -oE "NU1101[^[]*|NU1102[^[]*|Unable to find package [^ ]+[^[]*" /tmp/freeenergy-mlnet-restore.log | head -1 | sed 's/[[:space:]]*$//')
  fi
  rm -rf "$probe"
  if [ "$mlnet" -eq 0 ]; then
    echo "SKIPPED: the ML.NET layer (${mlnet_projects[*]}): Microsoft.ML 5.0.0, Microsoft.ML.OnnxTransformer 5.0.0 and Microsoft.ML.OnnxRuntime 1.23.2 do not restore from the configured package sources (${mlnet_reason:-see /tmp/freeenergy-mlnet-restore.log}). Set FREEENERGY_EXTRA_NUGET_SOURCE to a feed that has them to include it (docs/mlnet.md)."
  fi
else
  echo "SKIPPED: the ML.NET layer (Microsoft.ML.FreeEnergy): no such project in this tree yet."
fi
is_skipped() { [ "$mlnet" -eq 0 ] && needs_mlnet "$1"; }

tests=()
for p in tests/*/; do
  name=$(basename "$p")
  [ -f "$p/$name.csproj" ] || continue
  case "$name" in *Benchmarks*) continue ;; esac
  is_skipped "$p/$name.csproj" && continue
  tests+=("$p/$name.csproj")
done

# Build every project that is not a test project (the samples and the benchmarks too), so nothing rots unbuilt.
build_list=(src/*/ samples/*/ tests/FreeEnergy.Benchmarks/)
for p in "${build_list[@]}"; do
  [ -d "$p" ] || continue
  proj=$(ls "$p"*.csproj 2>/dev/null | head -1)
  [ -n "$proj" ] || continue
  is_skipped "$proj" && continue
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
