#!/usr/bin/env bash
# Free-energy scoring throughput: the engine (freeenergy bench score) against ONNX Runtime for .NET
# (tests/FreeEnergy.MlNet.Bench onnx-score) on the graph exported from the same model, same thread count, alternating.
# The model: a 784x500 Bernoulli RBM trained briefly on MNIST (one epoch on 10,000 rows; scoring cost does not
# depend on training). Env: ROUNDS (3), THREADS ("1 2"), BATCH (1000), ROWS (10000), OUT (artifacts/bench/score).
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${ROUNDS:-3}; threads_list=${THREADS:-"1 2"}; batch=${BATCH:-1000}; rows=${ROWS:-10000}
out=${OUT:-artifacts/bench/score}; mkdir -p "$out"
data=""; for d in "${FREEENERGY_MNIST:-}" data/mnist ../shared/data/mnist; do [ -n "$d" ] && [ -f "$d/t10k-images-idx3-ubyte.gz" ] && data=$d && break; done
[ -n "$data" ] || { echo "error: MNIST not found; run build/fetch-mnist.sh" >&2; exit 2; }
dotnet build src/FreeEnergy.Cli -c Release -nologo -v q >&2
dotnet build tests/FreeEnergy.MlNet.Bench -c Release -nologo -v q >&2
ort=(dotnet tests/FreeEnergy.MlNet.Bench/bin/Release/net10.0/FreeEnergy.MlNet.Bench.dll)
cli=(dotnet src/FreeEnergy.Cli/bin/Release/net10.0/FreeEnergy.Cli.dll)
"${cli[@]}" train --model rbm --data "$data/train-images-idx3-ubyte.gz" --max-rows 10000 --hidden 500 --epochs 1 --out "$out/rbm.fem" --json > /dev/null
"${cli[@]}" export-onnx --model "$out/rbm.fem" --graph score --out "$out/rbm-score.onnx" --json > /dev/null
echo "| threads | engine rows/s | ONNX Runtime rows/s | engine/ORT |"
echo "|---|---|---|---|"
for t in $threads_list; do
  ours=(); theirs=()
  for r in $(seq "$rounds"); do
    ours+=("$("${cli[@]}" bench score --model "$out/rbm.fem" --data "$data/t10k-images-idx3-ubyte.gz" --rows "$rows" --batch "$batch" --threads "$t" --json | sed -n 's/.*"rowsPerSecond": *\([0-9.eE+-]*\).*/\1/p')")
    theirs+=("$("${ort[@]}" onnx-score --model "$out/rbm-score.onnx" --data "$data" --rows "$batch" --threads "$t" 2>/dev/null | sed -n 's/.*"rowsPerSecond": *\([0-9.eE+-]*\).*/\1/p')")
  done
  /usr/bin/env python3 - "$t" "${ours[*]}" "${theirs[*]}" <<'PY'
import statistics, sys
o = statistics.median(map(float, sys.argv[2].split())); p = statistics.median(map(float, sys.argv[3].split()))
print(f"| {sys.argv[1]} | {o:,.0f} | {p:,.0f} | {o/p:.2f} |")
PY
done
