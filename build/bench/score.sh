#!/usr/bin/env bash
# Free-energy scoring throughput: the engine (freeenergy bench score) against ONNX Runtime (onnxruntime-node,
# tests/onnxruntime/run.js) on the graph exported from the same model, same thread count, alternating.
# The model: a 784x500 Bernoulli RBM trained briefly on MNIST (one epoch on 10,000 rows; scoring cost does not
# depend on training). Env: ROUNDS (3), THREADS ("1 2"), BATCH (1000), ROWS (10000), OUT (artifacts/bench/score).
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${ROUNDS:-3}; threads_list=${THREADS:-"1 2"}; batch=${BATCH:-1000}; rows=${ROWS:-10000}
out=${OUT:-artifacts/bench/score}; mkdir -p "$out"
data=""; for d in "${FREEENERGY_MNIST:-}" data/mnist ../shared/data/mnist; do [ -n "$d" ] && [ -f "$d/t10k-images-idx3-ubyte.gz" ] && data=$d && break; done
[ -n "$data" ] || { echo "error: MNIST not found; run build/fetch-mnist.sh" >&2; exit 2; }
build/prepare-test-tools.sh
dotnet build src/FreeEnergy.Cli -c Release -nologo -v q >&2
cli=(dotnet src/FreeEnergy.Cli/bin/Release/net10.0/FreeEnergy.Cli.dll)
"${cli[@]}" train --model rbm --data "$data/train-images-idx3-ubyte.gz" --max-rows 10000 --hidden 500 --epochs 1 --out "$out/rbm.fem" --json > /dev/null
"${cli[@]}" export-onnx --model "$out/rbm.fem" --graph score --out "$out/rbm-score.onnx" --json > /dev/null
/usr/bin/env python3 - "$data/t10k-images-idx3-ubyte.gz" "$out/features.f32" "$batch" <<'PY'
import gzip, struct, sys, array
raw = gzip.open(sys.argv[1]).read(); n = int(sys.argv[3])
count, r, c = struct.unpack('>III', raw[4:16]); px = raw[16:16 + n * r * c]
array.array('f', (b / 255.0 for b in px)).tofile(open(sys.argv[2], 'wb'))
PY
echo "| threads | engine rows/s | ONNX Runtime rows/s | engine/ORT |"
echo "|---|---|---|---|"
for t in $threads_list; do
  ours=(); theirs=()
  for r in $(seq "$rounds"); do
    ours+=("$("${cli[@]}" bench score --model "$out/rbm.fem" --data "$data/t10k-images-idx3-ubyte.gz" --rows "$rows" --batch "$batch" --threads "$t" --json | sed -n 's/.*"rowsPerSecond": *\([0-9.eE+-]*\).*/\1/p')")
    cat > "$out/manifest.json" <<JSON
{ "threads": $t, "cases": [ { "id": "score", "model": "rbm-score.onnx", "inputs": { "features": { "file": "features.f32", "shape": [$batch, 784] } }, "warmup": 5, "repeat": 30 } ] }
JSON
    node tests/onnxruntime/run.js "$out/manifest.json" "$out/results.json"
    theirs+=("$(/usr/bin/env python3 -c "import json,sys; c=json.load(open('$out/results.json'))['cases'][0]; print($batch/(c['timing']['medianMs']/1000))")")
  done
  /usr/bin/env python3 - "$t" "${ours[*]}" "${theirs[*]}" <<'PY'
import statistics, sys
o = statistics.median(map(float, sys.argv[2].split())); p = statistics.median(map(float, sys.argv[3].split()))
print(f"| {sys.argv[1]} | {o:,.0f} | {p:,.0f} | {o/p:.2f} |")
PY
done
