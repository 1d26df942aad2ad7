#!/usr/bin/env bash
# AIS evaluation: `freeenergy eval --estimator ais` (the full schedule: 14,500 betas, 100 runs) of a 784 x HIDDEN
# Bernoulli RBM on the MNIST test images (10,000 rows, binarised at 0.5), timed end to end (process start to exit;
# the AIS dominates), with the estimate and its spread. With BASELINE_CLI (another build's FreeEnergy.Cli.dll, e.g.
# main's) both run alternately in each round, on the same model and seed, and the table gives ours/baseline and how
# far apart the estimates are in units of their standard errors.
#   MODEL (default: a model trained here once: PCD-1, 5 epochs, seed 1, on the binarised training images, kept in
#   build/bench/.cache/); HIDDEN (default 500); ROUNDS (default 2); THREADS (default 2); BETAS (default 14500);
#   RUNS (default 100); DATA_DIR (default /work/shared/data/mnist or $FREEENERGY_MNIST).
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${ROUNDS:-2}
threads=${THREADS:-2}
hidden=${HIDDEN:-500}
betas=${BETAS:-14500}
runs=${RUNS:-100}
dir=${DATA_DIR:-${FREEENERGY_MNIST:-/work/shared/data/mnist}}
train=$dir/train-images-idx3-ubyte.gz
test=$dir/t10k-images-idx3-ubyte.gz
for f in "$train" "$test"; do [ -f "$f" ] || { echo "MNIST file not found: $f (build/fetch-mnist.sh, or set DATA_DIR)" >&2; exit 2; }; done

echo "building the CLI (Release) once..." >&2
dotnet build src/FreeEnergy.Cli/FreeEnergy.Cli.csproj -c Release -nologo -v q >&2
cli=$(ls src/FreeEnergy.Cli/bin/Release/net*/FreeEnergy.Cli.dll | sort -V | tail -1)
model=${MODEL:-}
if [ -z "$model" ]; then
  mkdir -p build/bench/.cache
  model=build/bench/.cache/ais-rbm-784x$hidden-pcd5.safetensors
  if [ ! -f "$model" ]; then
    echo "training the benchmark model (784x$hidden, PCD-1, 5 epochs)..." >&2
    dotnet "$cli" train --model rbm --data "$train" --binarize --hidden "$hidden" --epochs 5 --pcd 1 --seed 1 --threads "$threads" --out "$model" --json > /dev/null
  fi
fi
tools="ours"
[ -n "${BASELINE_CLI:-}" ] && tools="ours baseline"
results=$(mktemp)
trap 'rm -f "$results"' EXIT
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for r in $(seq 1 "$rounds"); do
  for tool in $tools; do
    dll=$cli; [ "$tool" = baseline ] && dll=$BASELINE_CLI
    echo "  round $r/$rounds: $tool (load $(cut -d' ' -f1 /proc/loadavg))" >&2
    start=$(date +%s.%N)
    out=$(dotnet "$dll" eval --model "$model" --data "$test" --estimator ais --ais-runs "$runs" --ais-betas "$betas" --threads "$threads" --json | tr -d "\n")
    end=$(date +%s.%N)
    echo "{\"tool\":\"$tool\",\"round\":$r,\"start\":$start,\"end\":$end,\"result\":$out}" >> "$results"
  done
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$results" "$load_start" "$load_end" "$threads" "$model" <<'PY'
import json, math, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
load_start, load_end, threads, model = sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
times, info = {}, {}
for row in rows:
    times.setdefault(row["tool"], []).append(row["end"] - row["start"])
    info[row["tool"]] = row["result"]
o = info["ours"]
def se(r):  # the AIS spread is log(mean w +- 3 se(w)): a third of the upper half-width, about se(w) / mean w in nats
    return (r["logPartitionUpper"] - r["logPartition"]) / 3
print()
print(f"AIS log Z ({o['aisSteps']} steps, {o['aisRuns']} runs) and the mean log-likelihood of {o['rows']} rows, {threads} threads, "
      f"model {model}; median over {len(times['ours'])} alternating rounds; load average {load_start} -> {load_end}")
print()
print("| build | s (end to end) | log Z | standard error | runs (s) |")
print("|---|---|---|---|---|")
summary = {"benchmark": "ais", "rows": o["rows"], "steps": o["aisSteps"], "runs": o["aisRuns"], "threads": threads,
           "loadAverageStart": load_start, "loadAverageEnd": load_end, "builds": []}
for tool, t in times.items():
    r = info[tool]
    print(f"| {tool} | {statistics.median(t):.2f} | {r['logPartition']:.4f} | {se(r):.4f} | {', '.join(f'{x:.2f}' for x in t)} |")
    summary["builds"].append({"build": tool, "seconds": statistics.median(t), "runs": t, "logPartition": r["logPartition"],
                              "standardError": se(r), "meanLogLikelihood": r["meanLogLikelihood"]})
if "baseline" in times:
    b = info["baseline"]
    summary["oursOverBaseline"] = statistics.median(times["ours"]) / statistics.median(times["baseline"])
    summary["estimateDifferenceInStandardErrors"] = abs(o["logPartition"] - b["logPartition"]) / math.hypot(se(o), se(b))
print()
print(json.dumps(summary, indent=1))
PY
