#!/usr/bin/env bash
# Classic MNIST VAE (784-400-20 ReLU, Bernoulli decoder, Adam 1e-3, batch 128, 60,000 rows): FreeEnergyML
# (freeenergy bench vae) against PyTorch CPU (build/peers/vae_torch.py), run alternately (ours, peer, ours, ...) with
# the same thread count so both see the same machine load. Prints a markdown table and a JSON document with the
# median seconds per epoch of each, ours/PyTorch, and the test -ELBO after the same number of epochs.
#   ROUNDS (default 3) alternations; EPOCHS (default 1) epochs per run (every epoch's time counts);
#   THREADS (default 2); DATA (default /work/shared/data/mnist); MAX_ROWS (default 0 = all; smoke runs);
#   PYTHON (default /usr/bin/python3, which has PyTorch CPU).
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${ROUNDS:-3}
epochs=${EPOCHS:-1}
threads=${THREADS:-2}
data=${DATA:-/work/shared/data/mnist}
max_rows=${MAX_ROWS:-0}
python=${PYTHON:-/usr/bin/python3}

echo "building the CLI (Release) once..." >&2
dotnet build src/FreeEnergy.Cli/FreeEnergy.Cli.csproj -c Release -nologo -v q >&2
cli=$(ls src/FreeEnergy.Cli/bin/Release/net*/FreeEnergy.Cli.dll | sort -V | tail -1)

results=$(mktemp)
cpufile=$(mktemp)
trap 'rm -f "$results" "$cpufile"' EXIT
# Runs a command, passing its stdout through, and writes its CPU seconds (user + system, all threads, whole run
# including data loading and the test score) to $cpufile: on a shared machine that is steadier than wall time.
with_cpu() {
  "$python" -c 'import resource, subprocess, sys
r = subprocess.run(sys.argv[2:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
u = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write("%.3f" % (u.ru_utime + u.ru_stime))
sys.stdout.buffer.write(r.stdout)
sys.exit(r.returncode)' "$cpufile" "$@"
}
for r in $(seq 1 "$rounds"); do
  echo "  round $r/$rounds, load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  load_ours=$(cut -d' ' -f1-3 /proc/loadavg)
  ours=$(DOTNET_gcServer=0 with_cpu dotnet "$cli" bench vae --data "$data" --epochs "$epochs" --threads "$threads" --max-rows "$max_rows" --json | tr -d "\n")
  cpu_ours=$(cat "$cpufile")
  load_peer=$(cut -d' ' -f1-3 /proc/loadavg)
  peer=$(OMP_NUM_THREADS=$threads with_cpu "$python" build/peers/vae_torch.py --epochs "$epochs" --threads "$threads" --data-dir "$data" --max-rows "$max_rows")
  cpu_peer=$(cat "$cpufile")
  echo "{\"tool\":\"ours\",\"round\":$r,\"load\":\"$load_ours\",\"cpu\":$cpu_ours,\"result\":$ours}" >> "$results"
  echo "{\"tool\":\"pytorch\",\"round\":$r,\"load\":\"$load_peer\",\"cpu\":$cpu_peer,\"result\":$peer}" >> "$results"
done

"$python" - "$results" "$threads" "$epochs" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
threads, epochs = int(sys.argv[2]), int(sys.argv[3])
ours = [r["result"] for r in rows if r["tool"] == "ours"]
peer = [r["result"] for r in rows if r["tool"] == "pytorch"]
o_sec = [s for r in ours for s in r["secondsPerEpoch"]]
p_sec = [s for r in peer for s in r["seconds_per_epoch"]]
o_cpu = [e["cpuSeconds"] for r in ours for e in r["epochs"]]
o_med, p_med = statistics.median(o_sec), statistics.median(p_sec)
o_elbo = statistics.median([r["testNegElbo"] for r in ours])
p_elbo = statistics.median([r["test_neg_elbo"] for r in peer])
loads = [r["load"] for r in rows]
o_run_cpu = statistics.median([r["cpu"] for r in rows if r["tool"] == "ours"])
p_run_cpu = statistics.median([r["cpu"] for r in rows if r["tool"] == "pytorch"])
print()
print(f"Classic VAE (784-400-20 ReLU, Bernoulli, Adam 1e-3, batch 128, {ours[0]['trainRows']} rows), {threads} threads, "
      f"{epochs} epoch(s) per run, median over {len(rows)//2} alternating rounds; load averages (1/5/15 min) before each run: {'; '.join(loads)}")
print()
print("| | s/epoch (median) | runs | test -ELBO after %d epoch(s) |" % epochs)
print("|---|---|---|---|")
print(f"| FreeEnergyML ({ours[0]['backend']}) | {o_med:.2f} | {', '.join(f'{s:.2f}' for s in o_sec)} | {o_elbo:.2f} |")
print(f"| {peer[0]['framework']} | {p_med:.2f} | {', '.join(f'{s:.2f}' for s in p_sec)} | {p_elbo:.2f} |")
print(f"| ratio ours/PyTorch | {o_med / p_med:.2f} | | |")
print()
print(f"Whole-run CPU seconds (user + system, all threads, incl. loading and test scoring), median: ours {o_run_cpu:.1f}, "
      f"PyTorch {p_run_cpu:.1f}, ratio {o_run_cpu / p_run_cpu:.2f}")
print()
print(f"(ours: process CPU seconds per epoch, all threads: {', '.join(f'{s:.2f}' for s in o_cpu)}; "
      "test -ELBO is F_q on t10k: ours the mean over the model's fixed scoring draws, PyTorch one fixed draw per row)")
print()
print(json.dumps({"benchmark": "vae", "threads": threads, "epochsPerRun": epochs, "loads": loads,
                  "oursSecondsPerEpoch": o_med, "pytorchSecondsPerEpoch": p_med, "ratio": o_med / p_med,
                  "oursRunCpuSeconds": o_run_cpu, "pytorchRunCpuSeconds": p_run_cpu, "oursTestNegElbo": o_elbo, "pytorchTestNegElbo": p_elbo, "oursRuns": o_sec, "pytorchRuns": p_sec,
                  "oursCpuSecondsPerEpoch": o_cpu, "ours": ours, "pytorch": peer}, indent=1))
PY
