#!/usr/bin/env bash
# RBM training epoch: FreeEnergyML (freeenergy bench rbm) against scikit-learn's BernoulliRBM (build/peers/rbm_sklearn.py)
# and a PyTorch CPU CD-1 loop (build/peers/rbm_torch.py), run alternately (ours, sklearn, torch, ours, ...) so all see
# the same machine load, each with the same thread count (OMP/OPENBLAS/MKL_NUM_THREADS, torch.set_num_threads,
# --threads). Same data on every side: MNIST training images / 255 thresholded at 0.5 (build/peers/mnist_binary.py;
# ThresholdBinarizer). 784 x HIDDEN Bernoulli RBM, batch BATCH; ours runs CD-1 with momentum MOMENTUM (default 0.5; 0 is
# scikit-learn's plain SGD step), torch CD-1 with momentum 0.5, sklearn its own PCD-1 (same five matrix products per
# batch). Each run reports its epochs; a run's time is the median of its epochs
# (data loading excluded), the table shows the median over rounds, and the ratios ours/sklearn and ours/torch; the JSON
# adds each round's ratio (its runs are adjacent in time) and their median, steadier on a machine whose speed drifts.
#   ROUNDS (default 3) alternations; EPOCHS (default 3) epochs per run: the median of three is a steady-state epoch,
#   while the median of two is the mean of the first (one-time costs such as JIT compilation) and the second;
#   THREADS (default 2); ROWS (default 0 = all 60,000); HIDDEN (default 500); BATCH (default 100); MOMENTUM (default
#   0.5); PEERS (default "sklearn torch");
#   DATA (default /work/shared/data/mnist/train-images-idx3-ubyte.gz or $FREEENERGY_MNIST/...);
#   PYTHON (default /usr/bin/python3, Debian's numpy on OpenBLAS, scikit-learn and torch).
# Modes (first argument): binary (default, as above); grey: the same on the grey values bytes / 255 (no threshold,
# ours without --binarize, the peers with --grey); tap: ours only, PCD-1 (one chain per batch row), TAP-2 and TAP-3
# (3 magnetisation iterations, damping 0.5) on the binarised data, alternated, with each TAP epoch over the PCD-1 epoch.
set -euo pipefail
cd "$(dirname "$0")/../.."
mode=${1:-binary}
case "$mode" in
  binary|grey|tap) ;;
  *) echo "usage: build/bench.sh rbm [binary|grey|tap]" >&2; exit 2 ;;
esac
rounds=${ROUNDS:-3}
epochs=${EPOCHS:-3}
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
greyArg=()
[ "$mode" = grey ] && greyArg=(--grey)
tools="ours $peers"
[ "$mode" = tap ] && tools="pcd tap2 tap3"
results=$(mktemp)
trap 'rm -f "$results"' EXIT
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for r in $(seq 1 "$rounds"); do
  for tool in $tools; do
    echo "  round $r/$rounds: $tool (load $(cut -d' ' -f1 /proc/loadavg))" >&2
    case "$tool" in
      ours|pcd|tap2|tap3)
        phase=cd; [ "$tool" != ours ] && phase=$tool
        out=$(dotnet "$cli" bench rbm --data "$data" "${rowsArg[@]}" "${greyArg[@]}" --epochs "$epochs" --hidden "$hidden" --batch "$batch" --cd 1 --phase "$phase" --momentum "$momentum" --threads "$threads" --json | tr -d "\n") ;;
      *)
        out=$("$python" "build/peers/rbm_$tool.py" --data "$data" "${rowsArg[@]}" "${greyArg[@]}" --epochs "$epochs" --hidden "$hidden" --batch "$batch" --threads "$threads" | tail -1) ;;
    esac
    echo "{\"tool\":\"$tool\",\"round\":$r,\"result\":$out}" >> "$results"
  done
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

"$python" - "$results" "$load_start" "$load_end" "$threads" "$mode" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
load_start, load_end, threads, mode = sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
reference = "pcd" if mode == "tap" else "ours"
runs = {}
info = {}
by_round = {}
for row in rows:
    r = row["result"]
    epochs = r["epochSeconds"]
    runs.setdefault(row["tool"], []).append(statistics.median(epochs))
    by_round.setdefault(row["round"], {})[row["tool"]] = statistics.median(epochs)
    info[row["tool"]] = r
def round_ratios(tool):
    """ours (or PCD-1) over tool within each round: the two runs are adjacent in time, so slow drifts of the machine cancel."""
    return [times[reference] / times[tool] if mode != "tap" else times[tool] / times[reference] for times in by_round.values() if tool in times and reference in times]
ref = statistics.median(runs[reference])
o = info[reference]
data_kind = "grey (bytes / 255)" if mode == "grey" else "bytes / 255 > 0.5"
print()
print(f"RBM training epoch ({mode}), {o['visible']}x{o['hidden']} Bernoulli, batch {o['batch']}, {o['rows']} rows, data {data_kind}, {threads} threads; "
      f"median over {len(runs[reference])} alternating rounds of each run's median epoch; load average {load_start} -> {load_end}")
print()
batches = -(-o["rows"] // o["batch"])
cases = []
summary = {"benchmark": "rbm", "mode": mode, "visible": o["visible"], "hidden": o["hidden"], "batch": o["batch"], "rows": o["rows"],
           "threads": threads, "binarisation": data_kind, "loadAverageStart": load_start, "loadAverageEnd": load_end}
if mode == "tap":
    names = {"pcd": "PCD-1", "tap2": "TAP-2", "tap3": "TAP-3"}
    print("| phase | s/epoch | ms/batch | phase/PCD-1 | runs (s) |")
    print("|---|---|---|---|---|")
    for tool, times in runs.items():
        t = statistics.median(times)
        print(f"| {names[tool]} | {t:.3f} | {1e3 * t / batches:.2f} | {t / ref:.2f} | {', '.join(f'{x:.3f}' for x in times)} |")
        cases.append({"phase": tool, "secondsPerEpoch": t, "runs": times, "overPcd": t / ref})
        if tool != "pcd":
            summary[f"{tool}OverPcd"] = t / ref
            summary[f"{tool}OverPcdMedianOfRounds"] = statistics.median(round_ratios(tool))
    summary["phases"] = cases
else:
    names = {"ours": f"FreeEnergyML (CD-1, momentum {o.get('momentum', 0.5):g})", "sklearn": "scikit-learn BernoulliRBM (PCD-1)", "torch": "PyTorch CPU loop (CD-1)"}
    print("| tool | s/epoch | ms/batch | ours/tool | runs (s) |")
    print("|---|---|---|---|---|")
    for tool, times in runs.items():
        t = statistics.median(times)
        ratio = ref / t
        print(f"| {names.get(tool, tool)} | {t:.3f} | {1e3 * t / batches:.2f} | {ratio:.2f} | {', '.join(f'{x:.3f}' for x in times)} |")
        cases.append({"tool": tool, "secondsPerEpoch": t, "runs": times, "oursOverTool": ratio})
        if tool != "ours":
            summary[f"oursOver{tool.capitalize()}"] = ratio
            by_tool = round_ratios(tool)
            summary[f"oursOver{tool.capitalize()}ByRound"] = by_tool
            summary[f"oursOver{tool.capitalize()}MedianOfRounds"] = statistics.median(by_tool)
    summary["oursSecondsPerEpoch"] = ref
    summary["tools"] = cases
print()
print(json.dumps(summary, indent=1))
PY
