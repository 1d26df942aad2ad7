#!/usr/bin/env bash
# RBM training epoch: FreeEnergyML (freeenergy bench rbm) against scikit-learn's BernoulliRBM (build/peers/rbm_sklearn.py)
# and a PyTorch CPU CD-1 loop (build/peers/rbm_torch.py), run alternately (ours, sklearn, torch, ours, ...) so all see
# the same machine load, each with the same thread count (OMP/OPENBLAS/MKL_NUM_THREADS, torch.set_num_threads,
# --threads). Same data on every side: MNIST training images / 255 thresholded at 0.5 (build/peers/mnist_binary.py;
# ThresholdBinarizer). 784 x HIDDEN Bernoulli RBM, batch BATCH; ours runs CD-1 with momentum MOMENTUM (default 0.5; 0 is
# scikit-learn's plain SGD step), torch CD-1 with momentum 0.5, sklearn its own PCD-1 (same five matrix products per
# batch). Each run reports its epochs; a run's time is the median of its epochs
# (data loading excluded), the table shows the median over rounds, and the ratios ours/sklearn and ours/torch.
#   ROUNDS (default 3) alternations; EPOCHS (default 2) epochs per run; THREADS (default 2); ROWS (default 0 = all
#   60,000); HIDDEN (default 500); BATCH (default 100); MOMENTUM (default 0.5); PEERS (default "sklearn torch");
#   DATA (default /work/shared/data/mnist/train-images-idx3-ubyte.gz or $FREEENERGY_MNIST/...);
#   PYTHON (default /usr/bin/python3, Debian's numpy on OpenBLAS, scikit-learn and torch).
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${ROUNDS:-3}
epochs=${EPOCHS:-2}
threads=${THREADS:-2}
rows=${ROWS:-0}
hidden=${HIDDEN:-500}
batch=${BATCH:-100}
momentum=${MOMENTUM:-0.5}
peers=${PEERS:-"sklearn torch"}
data=${DATA:-${FREEENERGY_MNIST:-/work/shared/data/mnist}/train-images-idx3-ubyte.gz}
python=${PYTHON:-/usr/bin/python3}
[ -f "$data" ] || { echo "MNIST training images not found: $data (build/fetch-mnist.sh, or set DATA)" >&2; exit 2; }

echo "building the CLI (Release) once..." >&2
dotnet build src/FreeEnergy.Cli/FreeEnergy.Cli.csproj -c Release -nologo -v q >&2
cli=$(ls src/FreeEnergy.Cli/bin/Release/net*/FreeEnergy.Cli.dll | sort -V | tail -1)

export OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads MKL_NUM_THREADS=$threads
rowsArg=()
[ "$rows" != 0 ] && rowsArg=(--rows "$rows")
results=$(mktemp)
trap 'rm -f "$results"' EXIT
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for r in $(seq 1 "$rounds"); do
  echo "  round $r/$rounds: ours (load $(cut -d' ' -f1 /proc/loadavg))" >&2
  ours=$(dotnet "$cli" bench rbm --data "$data" "${rowsArg[@]}" --epochs "$epochs" --hidden "$hidden" --batch "$batch" --cd 1 --momentum "$momentum" --threads "$threads" --json | tr -d "\n")
  echo "{\"tool\":\"ours\",\"round\":$r,\"result\":$ours}" >> "$results"
  for peer in $peers; do
    echo "  round $r/$rounds: $peer (load $(cut -d' ' -f1 /proc/loadavg))" >&2
    out=$("$python" "build/peers/rbm_$peer.py" --data "$data" "${rowsArg[@]}" --epochs "$epochs" --hidden "$hidden" --batch "$batch" --threads "$threads" | tail -1)
    echo "{\"tool\":\"$peer\",\"round\":$r,\"result\":$out}" >> "$results"
  done
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

"$python" - "$results" "$load_start" "$load_end" "$threads" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
load_start, load_end, threads = sys.argv[2], sys.argv[3], int(sys.argv[4])
runs = {}
info = {}
for row in rows:
    r = row["result"]
    epochs = r["epochSeconds"]
    runs.setdefault(row["tool"], []).append(statistics.median(epochs))
    info[row["tool"]] = r
ours = statistics.median(runs["ours"])
o = info["ours"]
names = {"ours": f"FreeEnergyML (CD-1, momentum {o.get('momentum', 0.5):g})", "sklearn": "scikit-learn BernoulliRBM (PCD-1)", "torch": "PyTorch CPU loop (CD-1)"}
print()
print(f"RBM training epoch, {o['visible']}x{o['hidden']} Bernoulli, batch {o['batch']}, {o['rows']} rows, {threads} threads; "
      f"median over {len(runs['ours'])} alternating rounds of each run's median epoch; load average {load_start} -> {load_end}")
print()
print("| tool | s/epoch | ms/batch | ours/tool | runs (s) |")
print("|---|---|---|---|---|")
batches = -(-o["rows"] // o["batch"])
cases = []
for tool, times in runs.items():
    t = statistics.median(times)
    ratio = ours / t
    print(f"| {names.get(tool, tool)} | {t:.3f} | {1e3 * t / batches:.2f} | {ratio:.2f} | {', '.join(f'{x:.3f}' for x in times)} |")
    cases.append({"tool": tool, "secondsPerEpoch": t, "runs": times, "oursOverTool": ratio})
summary = {"benchmark": "rbm", "visible": o["visible"], "hidden": o["hidden"], "batch": o["batch"], "rows": o["rows"],
           "threads": threads, "binarisation": "bytes / 255 > 0.5", "loadAverageStart": load_start, "loadAverageEnd": load_end,
           "oursSecondsPerEpoch": ours, "tools": cases}
for tool in runs:
    if tool != "ours":
        summary[f"oursOver{tool.capitalize()}"] = ours / statistics.median(runs[tool])
print()
print(json.dumps(summary, indent=1))
PY
