#!/usr/bin/env bash
# SGEMM: FreeEnergyML (freeenergy bench gemm) against OpenBLAS (numpy, build/peers/gemm_openblas.py), run
# alternately (ours, peer, ours, peer, ...) so both see the same machine load. Prints a markdown table and a JSON
# document with the median GFLOP/s of each, ours/OpenBLAS, and the fraction of the machine's peak.
#   ROUNDS (default 5) alternations per case; REPEATS (default 10) timed calls per run (each run reports their median);
#   THREADS (default "1 2"); SHAPES (default the four below, "m,n,k,ta,tb" separated by spaces);
#   PEAK_GHZ to override the clock used for the peak (default: /proc/cpuinfo "cpu MHz");
#   PYTHON (default /usr/bin/python3, which has Debian's numpy on OpenBLAS).
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${ROUNDS:-5}
repeats=${REPEATS:-10}
threads_list=${THREADS:-"1 2"}
shapes=${SHAPES:-"1024,1024,1024,0,0 100,500,784,0,0 784,500,100,1,0 128,784,400,0,1"}
python=${PYTHON:-/usr/bin/python3}

echo "building the CLI (Release) once..." >&2
dotnet build src/FreeEnergy.Cli/FreeEnergy.Cli.csproj -c Release -nologo -v q >&2
cli=$(ls src/FreeEnergy.Cli/bin/Release/net*/FreeEnergy.Cli.dll | sort -V | tail -1)

echo "OpenBLAS check:" >&2
OPENBLAS_NUM_THREADS=1 "$python" build/peers/gemm_openblas.py --show-config 2>&1 | grep -E "mapped BLAS|found =" >&2 || true

results=$(mktemp)
trap 'rm -f "$results"' EXIT
for shape in $shapes; do
  IFS=, read -r m n k ta tb <<< "$shape"
  flags=()
  [ "$ta" = 1 ] && flags+=(--transpose-a)
  [ "$tb" = 1 ] && flags+=(--transpose-b)
  for t in $threads_list; do
    for r in $(seq 1 "$rounds"); do
      echo "  $m x $n x $k ta=$ta tb=$tb threads=$t round $r/$rounds" >&2
      ours=$(dotnet "$cli" bench gemm --m "$m" --n "$n" --k "$k" "${flags[@]}" --threads "$t" --repeats "$repeats" --json | tr -d "\n")
      peer=$(OPENBLAS_NUM_THREADS=$t "$python" build/peers/gemm_openblas.py --m "$m" --n "$n" --k "$k" "${flags[@]}" --repeats "$repeats")
      echo "{\"tool\":\"ours\",\"round\":$r,\"threads\":$t,\"result\":$ours}" >> "$results"
      echo "{\"tool\":\"openblas\",\"round\":$r,\"threads\":$t,\"result\":$peer}" >> "$results"
    done
  done
done

"$python" - "$results" <<'PY'
import json, re, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
flags = open("/proc/cpuinfo").read()
mhz = [float(x) for x in re.findall(r"cpu MHz\s*:\s*([0-9.]+)", flags)]
import os
ghz = float(os.environ.get("PEAK_GHZ") or (max(mhz) / 1000 if mhz else 0))
avx512 = " avx512f" in flags
# Peak per core: 2 FMA pipes x lanes (16 for AVX-512, 8 for AVX2) x 2 flops x clock.
per_core = 2 * (16 if avx512 else 8) * 2 * ghz
cases = {}
for row in rows:
    r = row["result"]
    key = (r["m"], r["n"], r["k"], r["transposeA"], r["transposeB"], row["threads"])
    cases.setdefault(key, {"ours": [], "openblas": []})[row["tool"]].append(r["gflops"])
out = []
print()
print(f"SGEMM GFLOP/s, median over rounds (alternating runs); peak = {per_core:.1f} GFLOP/s per core "
      f"({'AVX-512' if avx512 else 'AVX2'}: 2 FMA x {16 if avx512 else 8} lanes x 2 x {ghz:.3f} GHz)")
print()
print("(/proc/cpuinfo gives the nominal clock; fractions above 100% mean the core boosts above it -- set PEAK_GHZ to the sustained clock.)")
print()
print("| shape (m x n x k) | op | threads | ours | OpenBLAS | ours/OpenBLAS | ours % peak | OpenBLAS % peak |")
print("|---|---|---|---|---|---|---|---|")
for key, v in cases.items():
    m, n, k, ta, tb, t = key
    ours, peer = statistics.median(v["ours"]), statistics.median(v["openblas"])
    peak = per_core * t
    op = ("A^T" if ta else "A") + "*" + ("B^T" if tb else "B")
    ratio = ours / peer if peer else float("nan")
    print(f"| {m}x{n}x{k} | {op} | {t} | {ours:.1f} | {peer:.1f} | {ratio:.2f} | {100*ours/peak:.0f}% | {100*peer/peak:.0f}% |")
    out.append({"m": m, "n": n, "k": k, "op": op, "threads": t, "oursGflops": ours, "openblasGflops": peer,
                "ratio": ratio, "oursFractionOfPeak": ours / peak, "openblasFractionOfPeak": peer / peak,
                "oursRuns": v["ours"], "openblasRuns": v["openblas"]})
print()
print(json.dumps({"benchmark": "gemm", "peakGflopsPerCore": per_core, "clockGHz": ghz, "avx512": avx512, "cases": out}, indent=1))
PY
