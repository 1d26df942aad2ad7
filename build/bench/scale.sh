#!/usr/bin/env bash
# Scoring past one process: the same rows scored by a Dask LocalCluster of 1 and of 2 worker processes (1 thread
# each, scale/dask, python3 -m freeenergy_dask) against one `freeenergy score --threads 2` process, all with the
# published worker binary (build/publish-worker.sh), alternating (single, 1 worker, 2 workers, single, ...) so all see
# the same load. A cluster's rows/s is its scoring job on workers that already have the binary and the model (as on
# a long-lived cluster; its `freeenergy serve` processes start within the job); shipping them, once per cluster, is
# timed apart (shipSeconds). Data: MNIST training images (784 bytes a row) repeated to ROWS rows, as PARTITIONS
# uncompressed IDX files and as one concatenated IDX file for the single process; scores of both checked equal.
# Model: a 784xHIDDEN Bernoulli RBM trained for one epoch on 10,000 rows (scoring cost does not depend on training).
# CPU seconds are user + system time of the scoring (the freeenergy processes, not Dask itself): load-independent,
# unlike rows/s on a shared machine. RUNS=1 adds the same clusters with one `freeenergy score` process per partition
# (--per-partition-runs) instead of one long-lived `freeenergy serve` per worker. Each run records the 1-minute load
# average at its start: scaling figures taken under load measure the load.
#   ROWS (default 2000000), PARTITIONS (8), HIDDEN (500), ROUNDS (3), RUNS (0), OUT (artifacts/bench/scale),
#   DATA (MNIST train-images-idx3-ubyte.gz; default /work/shared/data/mnist or $FREEENERGY_MNIST), PYTHON (/usr/bin/python3).
# Prints a markdown table, then one JSON object (also OUT/result.json). Needs about ROWS x 1.6 KB of disk in OUT.
set -euo pipefail
cd "$(dirname "$0")/../.."
rows=${ROWS:-2000000}; partitions=${PARTITIONS:-8}; hidden=${HIDDEN:-500}; rounds=${ROUNDS:-3}; per_run=${RUNS:-0}
out=${OUT:-artifacts/bench/scale}; python=${PYTHON:-/usr/bin/python3}
data=${DATA:-${FREEENERGY_MNIST:-/work/shared/data/mnist}/train-images-idx3-ubyte.gz}
[ -f "$data" ] || { echo "MNIST training images not found: $data (build/fetch-mnist.sh, or set DATA)" >&2; exit 2; }
"$python" -c 'import distributed' 2>/dev/null || { echo "error: $python has no Dask.distributed (apt-get install python3-distributed)" >&2; exit 2; }
bin=$(realpath "$(build/publish-worker.sh --if-stale)")
mkdir -p "$out"
out=$(realpath "$out")
"$bin" train --model rbm --data "$data" --max-rows 10000 --hidden "$hidden" --epochs 1 --out "$out/rbm.fem" --json > /dev/null
"$python" - "$data" "$out" "$rows" "$partitions" <<'PY'
import gzip, os, struct, sys
source, out, rows, parts = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
raw = gzip.open(source).read()
count, height, width = struct.unpack(">III", raw[4:16]); size = height * width; images = raw[16:16 + count * size]
def write(path, first, n):
    with open(path, "wb") as f:
        f.write(struct.pack(">IIII", 0x803, n, height, width))
        i = first
        while i < first + n:
            k = min(first + n - i, count - i % count)
            f.write(images[(i % count) * size:(i % count + k) * size]); i += k
bounds = [rows * p // parts for p in range(parts + 1)]
for p in range(parts):
    write(os.path.join(out, f"part-{p:05d}.idx3-ubyte"), bounds[p], bounds[p + 1] - bounds[p])
write(os.path.join(out, "all.idx3-ubyte"), 0, rows)
PY
parts=("$out"/part-*.idx3-ubyte)
results=$out/runs.jsonl; : > "$results"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for r in $(seq 1 "$rounds"); do
  load=$(cut -d' ' -f1 /proc/loadavg)
  echo "  round $r/$rounds: single process, 2 threads (load $load)" >&2
  "$python" - "$load" "$bin" score --model "$out/rbm.fem" --data "$out/all.idx3-ubyte" --threads 2 --out "$out/single.csv" <<'PY' >> "$results"
import json, resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[2:], check=True, stdout=subprocess.DEVNULL)
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"case": "single", "load": float(sys.argv[1]), "seconds": seconds, "cpuSeconds": usage.ru_utime + usage.ru_stime}))
PY
  modes=("serve"); [ "$per_run" = 1 ] && modes+=("runs")
  for mode in "${modes[@]}"; do
    for n in 1 2; do
      load=$(cut -d' ' -f1 /proc/loadavg)
      echo "  round $r/$rounds: LocalCluster, $n worker process(es) x 1 thread, $mode (load $load)" >&2
      rm -rf "$out/cluster"
      flag=(); [ "$mode" = runs ] && flag=(--per-partition-runs)
      summary=$(PYTHONPATH=scale/dask "$python" -m freeenergy_dask --local "$n" --binary "$bin" --model "$out/rbm.fem" \
        --out "$out/cluster" --concatenate "$out/cluster.csv" "${flag[@]}" "${parts[@]}")
      case=workers$n; [ "$mode" = runs ] && case=runs$n
      echo "{\"case\":\"$case\",\"load\":$load,\"summary\":$summary}" >> "$results"
      cmp -s "$out/single.csv" "$out/cluster.csv" || { echo "error: the cluster's scores differ from the single process's" >&2; exit 1; }
    done
  done
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
"$python" - "$results" "$rows" "$partitions" "$hidden" "$load_start" "$load_end" "$out/result.json" <<'PY'
import json, os, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
rows, parts, hidden, load_start, load_end, path = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6], sys.argv[7]
seconds, cpu, loads, ship = {}, {}, {}, {}
for r in runs:
    s = r.get("summary", r)
    if "shipSeconds" in s:
        ship.setdefault(r["case"], []).append(s["shipSeconds"])
    seconds.setdefault(r["case"], []).append(s["seconds"])
    cpu.setdefault(r["case"], []).append(s["cpuSeconds"] if "cpuSeconds" in s else s["cliCpuSeconds"])
    loads.setdefault(r["case"], []).append(r["load"])
rate = {case: rows / statistics.median(s) for case, s in seconds.items()}
cpu_per_million = {case: 1e6 * statistics.median(c) / rows for case, c in cpu.items()}
name = open("/proc/cpuinfo").read().split("model name")[1].split(":")[1].split("\n")[0].strip()
print(f"\nScoring {rows:,} rows x 784 (784x{hidden} RBM, free energy), {parts} IDX partitions; median of {len(seconds['single'])} "
      f"alternating rounds; {os.cpu_count()} cores ({name}); load average {load_start} -> {load_end}\n")
print("| case | rows/s | vs 1 worker | vs single process (2 threads) | CPU s per million rows (scoring) | runs (s) | shipping, once per cluster (s) | load at each run's start |")
print("|---|---|---|---|---|---|---|---|")
names = {"single": "one `freeenergy score` process, 2 threads", "workers1": "Dask LocalCluster, 1 worker x 1 thread (serve)",
         "workers2": "Dask LocalCluster, 2 workers x 1 thread (serve)", "runs1": "Dask LocalCluster, 1 worker, one `score` run per partition",
         "runs2": "Dask LocalCluster, 2 workers, one `score` run per partition"}
for case in (c for c in names if c in rate):
    base = rate["runs1" if case.startswith("runs") else "workers1"]
    print(f"| {names[case]} | {rate[case]:,.0f} | {rate[case] / base:.2f} | {rate[case] / rate['single']:.2f} | "
          f"{cpu_per_million[case]:.1f} | {', '.join(f'{x:.2f}' for x in seconds[case])} | {', '.join(f'{x:.2f}' for x in ship.get(case, [])) or '-'} | "
          f"{', '.join(f'{x:.2f}' for x in loads[case])} |")
result = {"benchmark": "scale", "rows": rows, "columns": 784, "hidden": hidden, "partitions": parts, "cpu": name, "cores": os.cpu_count(),
          "loadAverageStart": load_start, "loadAverageEnd": load_end, "loadAtRunStart": loads, "seconds": seconds, "shipSeconds": ship, "rowsPerSecond": rate,
          "cpuSecondsPerMillionRows": cpu_per_million,
          "speedupTwoWorkers": rate["workers2"] / rate["workers1"],
          "clusterOverheadVsSingle": 1 - rate["workers2"] / rate["single"],
          "goals": {"speedupTwoWorkers": ">= 1.7", "clusterOverheadVsSingle": "<= 0.15 at 2,000,000 rows"}}
if "runs2" in rate:
    result["perPartitionRuns"] = {"speedupTwoWorkers": rate["runs2"] / rate["runs1"], "clusterOverheadVsSingle": 1 - rate["runs2"] / rate["single"]}
json.dump(result, open(path, "w"), indent=2)
print(); print(json.dumps(result))
PY
