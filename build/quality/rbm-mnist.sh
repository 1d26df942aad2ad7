#!/usr/bin/env bash
# RBM quality on binarised MNIST (threshold 0.5): trains a 784x500 Bernoulli RBM with each negative phase
# and reports the AIS estimate of the mean test log-likelihood (nats) with its spread.
# Usage: build/quality/rbm-mnist.sh [DATA_DIR] ; env: EPOCHS (30), HIDDEN (500), PHASES ("cd:1 pcd:1 tap:2 tap:3"),
#        THREADS (0 = all), AIS_RUNS (100), AIS_BETAS (14500), OUT (artifacts/quality/rbm),
#        TRAIN_ARGS (extra train options, e.g. "--schedule linear --l2 0.0002")
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${1:-}
if [ -z "$data" ]; then for d in "${FREEENERGY_MNIST:-}" data/mnist ../shared/data/mnist; do [ -n "$d" ] && [ -f "$d/t10k-images-idx3-ubyte.gz" ] && data=$d && break; done; fi
[ -n "$data" ] || { echo "error: MNIST not found; run build/fetch-mnist.sh first" >&2; exit 2; }
epochs=${EPOCHS:-30}; hidden=${HIDDEN:-500}; threads=${THREADS:-0}; out=${OUT:-artifacts/quality/rbm}
mkdir -p "$out"
dotnet build src/FreeEnergy.Cli -c Release -nologo -v q >/dev/null
cli=(dotnet src/FreeEnergy.Cli/bin/Release/net10.0/FreeEnergy.Cli.dll)
echo "| negative phase | epochs | s/epoch | mean test log-likelihood (AIS, nats) | AIS log Z | log Z bounds |"
echo "|---|---|---|---|---|---|"
for spec in ${PHASES:-cd:1 pcd:1 tap:2 tap:3}; do
  kind=${spec%%:*}; k=${spec##*:}
  model="$out/rbm-$kind$k.fem"
  "${cli[@]}" train --model rbm --data "$data/train-images-idx3-ubyte.gz" --binarize --hidden "$hidden" --epochs "$epochs" \
    --batch 100 "--$kind" "$k" --threads "$threads" ${TRAIN_ARGS:-} --out "$model" --json > "$out/train-$kind$k.json"
  "${cli[@]}" eval --model "$model" --data "$data/t10k-images-idx3-ubyte.gz" --base-data "$data/train-images-idx3-ubyte.gz" \
    --estimator ais --ais-runs "${AIS_RUNS:-100}" --ais-betas "${AIS_BETAS:-14500}" --threads "$threads" --json > "$out/eval-$kind$k.json"
  /usr/bin/env python3 - "$out/train-$kind$k.json" "$out/eval-$kind$k.json" "$kind-$k" <<'PY'
import json, sys
t = json.load(open(sys.argv[1])); e = json.load(open(sys.argv[2]))
def g(d, *names):
    for n in names:
        if n in d and d[n] is not None: return d[n]
    return float('nan')
print(f"| {sys.argv[3]} | {t['epochs']} | {t['secondsPerEpoch']:.2f} | {g(e,'meanLogLikelihood'):.2f} (+-{g(e,'logLikelihoodStandardError'):.2f} s.e. over rows) | {g(e,'logPartition'):.2f} | [{g(e,'logPartitionLower'):.2f}, {g(e,'logPartitionUpper'):.2f}] |")
PY
done
