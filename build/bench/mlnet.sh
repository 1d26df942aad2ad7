#!/usr/bin/env bash
# FreeEnergyML through ML.NET (tests/FreeEnergy.MlNet.Bench): the one-class MNIST protocol (each digit in turn normal, all
# 10,000 test images scored, AnomalyDetection.Evaluate) for the FreeEnergy detectors beside ML.NET's RandomizedPca, then
# Transform throughput of FreeEnergyScore/FreeEnergyEncode against the engine. Markdown tables on stderr, one JSON
# document on stdout. Env: DIGITS (0,...,9), EPOCHS (30), ROWS (10000), HIDDEN (500), DETECTORS (all: randomized_pca,
# freeenergy_vae_corrected, freeenergy_rbm_corrected, freeenergy_vae_grey, freeenergy_vae2_corrected); CLI=1 also runs
# `freeenergy anomaly-eval --model vae` (the same protocol through the command line) and prints both AUCs side by side.
set -euo pipefail
cd "$(dirname "$0")/../.."
data=""; for d in "${FREEENERGY_MNIST:-}" data/mnist ../shared/data/mnist; do [ -n "$d" ] && [ -f "$d/t10k-images-idx3-ubyte.gz" ] && data=$d && break; done
[ -n "$data" ] || { echo "error: MNIST not found; run build/fetch-mnist.sh" >&2; exit 2; }
digits=${DIGITS:-0,1,2,3,4,5,6,7,8,9}
dotnet build tests/FreeEnergy.MlNet.Bench -c Release -nologo -v q >&2
bench=(dotnet tests/FreeEnergy.MlNet.Bench/bin/Release/net10.0/FreeEnergy.MlNet.Bench.dll)
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"${bench[@]}" auc --data "$data" --digits "$digits" --epochs "${EPOCHS:-30}" ${DETECTORS:+--detectors "$DETECTORS"} > "$out/auc.json"
"${bench[@]}" throughput --data "$data" --rows "${ROWS:-10000}" --hidden "${HIDDEN:-500}" > "$out/throughput.json"
if [ "${CLI:-0}" = 1 ]; then
  dotnet build src/FreeEnergy.Cli -c Release -nologo -v q >&2
  dotnet src/FreeEnergy.Cli/bin/Release/net10.0/FreeEnergy.Cli.dll anomaly-eval --model vae --classes "$digits" --epochs "${EPOCHS:-30}" \
    --samples 1 --data-dir "$data" --json > "$out/cli.json"
else
  echo '{}' > "$out/cli.json"
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
/usr/bin/env python3 - "$out/auc.json" "$out/throughput.json" "$out/cli.json" <<'PY'
import json, sys
auc, thr, cli = (json.load(open(p)) for p in sys.argv[1:4])
if cli.get("classes"):
    print("| digit | ML.NET detector (VAE, corrected) | CLI anomaly-eval vae_free_energy_corrected | difference |", file=sys.stderr)
    print("|---|---|---|---|", file=sys.stderr)
    byDigit = {c["class"]: c["vae_free_energy_corrected"] / 100 for c in cli["classes"]}
    for d in auc["digits"]:
        m, c = d.get("freeenergy_vae_corrected"), byDigit.get(d["digit"])
        if m is not None and c is not None: print(f"| {d['digit']} | {m:.5f} | {c:.4f} | {m - c:+.5f} |", file=sys.stderr)
print(json.dumps({"auc": auc, "throughput": thr, "cli_anomaly_eval": cli}, indent=2))
PY
